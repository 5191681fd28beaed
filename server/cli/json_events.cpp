#include "json_events.h"

#include "gotrace/tracer/engine.h"
#include "gotrace/values/trace_format.h"

#include <boost/json.hpp>

#include <charconv>

namespace gotrace::cli {
namespace json = boost::json;
namespace {

using symbols::Kind;

json::value number(const std::string& text, bool is_signed) {
  if (is_signed) {
    int64_t v = 0;
    if (std::from_chars(text.data(), text.data() + text.size(), v).ec == std::errc()) return v;
  } else {
    uint64_t v = 0;
    if (std::from_chars(text.data(), text.data() + text.size(), v).ec == std::errc()) return v;
  }
  return json::string(text);
}

json::value typed(const values::Variable& v) {
  if (!v.unreadable.empty()) return nullptr;
  switch (v.kind) {
    case Kind::bool_: return v.value == "true";
    case Kind::int_: case Kind::int8: case Kind::int16: case Kind::int32: case Kind::int64:
      return number(v.value, true);
    case Kind::uint: case Kind::uint8: case Kind::uint16: case Kind::uint32: case Kind::uint64:
    case Kind::uintptr:
      return number(v.value, false);
    case Kind::float32: case Kind::float64: {
      double d = 0;
      if (std::from_chars(v.value.data(), v.value.data() + v.value.size(), d).ec == std::errc()) return d;
      return json::string(v.value);  // +Inf, NaN: not JSON numbers
    }
    case Kind::string: return json::string(v.value);
    case Kind::struct_: {
      json::object o;
      for (const values::Variable& f : v.children) o[f.name] = typed(f);
      return o;
    }
    case Kind::array: case Kind::slice: {
      json::array a;
      for (const values::Variable& e : v.children) a.push_back(typed(e));
      return a;
    }
    case Kind::map: {
      // Delve lists a map's entries as key, value, key, value...
      json::array a;
      for (size_t i = 0; i + 1 < v.children.size(); i += 2)
        a.push_back(json::array{typed(v.children[i]), typed(v.children[i + 1])});
      return a;
    }
    case Kind::pointer: case Kind::interface:
      if (!v.children.empty()) return typed(v.children.front());
      return nullptr;
    default:
      return v.value.empty() ? json::value(nullptr) : json::value(v.value);
  }
}

json::array values_of(const std::vector<values::Variable>& vars) {
  json::array out;
  for (const values::Variable& v : vars) {
    // Delve's rendering of this one value (as an argument: the trace
    // printers skip results in argument lists).
    values::Variable arg = v;
    arg.flags = (arg.flags & ~values::kVarReturnArgument) | values::kVarArgument;
    json::object o{{"name", v.name}, {"type", v.type}, {"value", typed(v)},
                   {"text", values::format_trace_args({arg}, 0)}};
    // How much there was: "value" holds only what was loaded.
    if (v.kind == Kind::string || v.kind == Kind::slice || v.kind == Kind::array || v.kind == Kind::map ||
        v.kind == Kind::chan)
      o["len"] = v.len;
    if (v.kind == Kind::slice || v.kind == Kind::chan) o["cap"] = v.cap;
    if (!v.unreadable.empty()) o["unreadable"] = v.unreadable;
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

std::string json_event_line(const tracer::TraceEvent& ev, const std::string& function,
                            const std::vector<values::Variable>& args, std::optional<int> frame) {
  json::object o;
  o["time"] = values::format_rfc3339_nano(static_cast<int64_t>(ev.wall_ns), 0);
  o["pid"] = ev.pid;
  o["goroutine"] = ev.goroutine;
  if (frame) o["frame"] = *frame;
  o["function"] = function;
  bool ret = ev.kind == tracer::TraceEvent::Kind::ret;
  // An inlined copy's hit is the entry of that call (there is no return to
  // probe).
  o["kind"] = ret ? "return" : "entry";
  if (ret) {
    o["results"] = values_of(ev.values);
    o["args"] = values_of(args);
    o["duration_ns"] = ev.duration_ns ? json::value(*ev.duration_ns) : json::value(nullptr);
  } else {
    o["args"] = values_of(ev.values);
  }
  return json::serialize(o) + "\n";
}

}  // namespace gotrace::cli
