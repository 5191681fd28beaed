// The hot replies written straight to text, skipping the boost::json tree
// that to_json builds: a GetBufferedTracepoints reply under load carries tens
// of thousands of results, and building then walking a tree per Variable was
// most of the server's cost per delivered hit. Key order and omitempty rules
// are to_json's (types_to_json.cpp); a test holds the two equal.
#include "gotrace/protocol/rpc/json_write.h"
#include "gotrace/protocol/rpc/types.h"

#include <charconv>

namespace gotrace::protocol::rpc {

namespace {

template <class Int>
void number(std::string& out, Int v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void key(std::string& out, std::string_view k, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += k;
  out += "\":";
}

void boolean(std::string& out, bool b) { out += b ? "true" : "false"; }

void variables(std::string& out, const std::vector<Variable>& vs) {
  out += '[';
  for (size_t i = 0; i < vs.size(); ++i) {
    if (i) out += ',';
    write_go_json(out, vs[i]);
  }
  out += ']';
}

}  // namespace

void write_go_json(std::string& out, const Variable& v) {
  out += '{';
  key(out, "name", true);
  write_go_string(out, v.name);
  key(out, "addr");
  number(out, v.addr);
  key(out, "onlyAddr");
  boolean(out, v.onlyAddr);
  key(out, "type");
  write_go_string(out, v.type);
  key(out, "realType");
  write_go_string(out, v.realType);
  key(out, "flags");
  number(out, v.flags);
  key(out, "kind");
  number(out, v.kind);
  key(out, "value");
  write_go_string(out, v.value);
  key(out, "len");
  number(out, v.len);
  key(out, "cap");
  number(out, v.cap);
  key(out, "children");
  variables(out, v.children);
  key(out, "base");
  number(out, v.base);
  key(out, "unreadable");
  write_go_string(out, v.unreadable);
  key(out, "LocationExpr");
  write_go_string(out, v.LocationExpr);
  key(out, "DeclLine");
  number(out, v.DeclLine);
  out += '}';
}

void write_go_json(std::string& out, const TracepointResult& v) {
  out += '{';
  key(out, "addr", true);
  number(out, v.addr);
  key(out, "file");
  write_go_string(out, v.file);
  key(out, "line");
  number(out, v.line);
  key(out, "is_ret");
  boolean(out, v.is_ret);
  if (!v.functionName.empty()) {
    key(out, "functionName");
    write_go_string(out, v.functionName);
  }
  key(out, "goroutineID");
  number(out, v.goroutineID);
  if (!v.inputParams.empty()) {
    key(out, "inputParams");
    variables(out, v.inputParams);
  }
  if (!v.returnParams.empty()) {
    key(out, "returnParams");
    variables(out, v.returnParams);
  }
  if (v.durationNs) {
    key(out, "durationNs");
    number(out, *v.durationNs);
  }
  out += '}';
}

}  // namespace gotrace::protocol::rpc
