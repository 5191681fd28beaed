// Helpers for the tests that trace the `ticker` fixture over JSON-RPC:
// main.tick(n) is called with n = 0, 1, 2, ... every 5 ms.
#pragma once

#include "harness.h"
#include "rpc_client.h"

#include <string>
#include <vector>

namespace gotrace::itest {

inline json::value tick_tracepoint() {
  json::object bp;
  bp["functionName"] = "main.tick";
  bp["line"] = -1;
  bp["continue"] = true;
  bp["LoadArgs"] = short_load_config();
  return json::object{{"Breakpoint", bp}};
}

inline json::value continue_cmd() {
  return json::object{{"name", "continue"}, {"ReturnInfoLoadConfig", return_info_load_config()}};
}

// The n of the tick(n) hit in a continue response; -1 if not such a hit.
inline int64_t tick_arg(const json::value& resp) {
  if (!resp.is_object() || resp.at("error") != nullptr) return -1;
  const auto& ct = resp.at("result").at("State").at("currentThread");
  if (!ct.is_object() || ct.at("function").at("name") != "main.tick") return -1;
  return std::stoll(json::value_to<std::string>(
      ct.at("breakPointInfo").at("arguments").as_array().at(0).at("value")));
}

// Every tick(n) hit of a stop (Threads[] entries with a breakPoint), in order.
inline std::vector<int64_t> tick_args(const json::value& resp) {
  std::vector<int64_t> out;
  if (!resp.is_object() || resp.at("error") != nullptr) return out;
  const auto& threads = resp.at("result").at("State").at("Threads");
  if (!threads.is_array()) return out;
  for (const auto& t : threads.as_array()) {
    if (t.at("breakPoint") == nullptr || t.at("function").at("name") != "main.tick") continue;
    out.push_back(std::stoll(json::value_to<std::string>(
        t.at("breakPointInfo").at("arguments").as_array().at(0).at("value"))));
  }
  return out;
}

}  // namespace gotrace::itest
