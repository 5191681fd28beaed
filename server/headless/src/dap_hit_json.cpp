#include "dap_hit_json.h"

#include "gotrace/protocol/rpc/json_write.h"
#include "gotrace/values/trace_format.h"

namespace gotrace::headless {
namespace {

using protocol::rpc::write_go_string;
using protocol::rpc::write_json_int;

void key(std::string& out, std::string_view k) {
  out += '"';
  out += k;
  out += "\":";
}

void values_array(std::string& out, const std::vector<values::Variable>& vars, std::string& scratch) {
  out += '[';
  for (size_t i = 0; i < vars.size(); ++i) {
    if (i) out += ',';
    const values::Variable& v = vars[i];
    out += "{\"name\":";
    write_go_string(out, v.name);
    out += ",\"type\":";
    write_go_string(out, v.type);
    out += ",\"value\":";
    scratch.clear();
    values::append_single_line(scratch, v);
    write_go_string(out, scratch);
    out += '}';
  }
  out += ']';
}

}  // namespace

std::string hit_output_body(const HitOutput& h) {
  std::string out;
  out.reserve(256 + h.text.size() * 2);
  std::string scratch;
  out += "{\"category\":\"stdout\",\"output\":";
  write_go_string(out, h.text);
  out += ",\"source\":{\"path\":";
  write_go_string(out, h.file);
  out += "},\"line\":";
  write_json_int(out, h.line);
  if (!h.with_data) {
    out += '}';
    return out;
  }
  out += ",\"data\":{\"goroutine\":";
  write_json_int(out, h.goroutine);
  out += ",\"function\":";
  write_go_string(out, h.function);
  out += ",\"kind\":";
  write_go_string(out, h.kind);
  out += ",\"timestamp\":";
  write_go_string(out, values::format_rfc3339_nano(static_cast<int64_t>(h.wall_ns), 0));
  out += ',';
  key(out, h.kind == "return" ? "returnValues" : "arguments");
  values_array(out, h.values ? *h.values : std::vector<values::Variable>{}, scratch);
  if (h.locals) {
    out += ',';
    key(out, "locals");
    values_array(out, *h.locals, scratch);
  }
  if (h.duration_ns) {
    out += ',';
    key(out, "durationNs");
    write_json_int(out, *h.duration_ns);
  }
  if (h.stack && !h.stack->empty()) {
    out += ",\"stack\":[";
    for (size_t i = 0; i < h.stack->size(); ++i) {
      const tracer::Frame& f = (*h.stack)[i];
      if (i) out += ',';
      out += "{\"pc\":";
      write_json_int(out, f.pc);
      out += ",\"function\":";
      write_go_string(out, f.function);
      out += ",\"file\":";
      write_go_string(out, f.file);
      out += ",\"line\":";
      write_json_int(out, f.line);
      out += '}';
    }
    out += ']';
  }
  out += "}}";
  return out;
}

}  // namespace gotrace::headless
