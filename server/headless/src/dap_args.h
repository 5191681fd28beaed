// Reading DAP request arguments: exact-case keys, absent means default.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace gotrace::headless::dap_args {

namespace json = boost::json;

inline std::optional<std::string> str(const json::object& o, std::string_view k) {
  if (auto* v = o.if_contains(k); v && v->is_string()) return std::string(v->get_string());
  return std::nullopt;
}
inline std::optional<int64_t> num(const json::object& o, std::string_view k) {
  if (auto* v = o.if_contains(k)) {
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
    if (v->is_double()) return static_cast<int64_t>(v->get_double());
    if (v->is_string()) {
      try {
        return std::stoll(std::string(v->get_string()));
      } catch (...) {
      }
    }
  }
  return std::nullopt;
}
inline bool flag(const json::object& o, std::string_view k, bool dflt = false) {
  if (auto* v = o.if_contains(k); v && v->is_bool()) return v->get_bool();
  return dflt;
}
inline const json::object* obj(const json::object& o, std::string_view k) {
  if (auto* v = o.if_contains(k); v && v->is_object()) return &v->get_object();
  return nullptr;
}
inline const json::array* arr(const json::object& o, std::string_view k) {
  if (auto* v = o.if_contains(k); v && v->is_array()) return &v->get_array();
  return nullptr;
}
// A list of strings, or one string split on spaces (buildFlags accepts both).
inline std::vector<std::string> strings(const json::object& o, std::string_view k) {
  std::vector<std::string> out;
  if (auto* a = arr(o, k)) {
    for (const auto& e : *a)
      if (e.is_string()) out.emplace_back(e.get_string());
  } else if (auto s = str(o, k)) {
    size_t i = 0;
    while (i < s->size()) {
      size_t j = s->find(' ', i);
      if (j == std::string::npos) j = s->size();
      if (j > i) out.push_back(s->substr(i, j - i));
      i = j + 1;
    }
  }
  return out;
}

}  // namespace gotrace::headless::dap_args
