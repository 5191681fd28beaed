// The hot replies written straight to text, skipping the boost::json tree
// that to_json builds: a GetBufferedTracepoints reply under load carries tens
// of thousands of results, and building then walking a tree per Variable was
// most of the server's cost per delivered hit. Key order and omitempty rules
// are to_json's (types_to_json.cpp); a test holds the two equal.
#include "gotrace/protocol/rpc/json_write.h"
#include "gotrace/protocol/rpc/types.h"

namespace gotrace::protocol::rpc {

namespace {

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
  write_json_int(out, v.addr);
  key(out, "onlyAddr");
  boolean(out, v.onlyAddr);
  key(out, "type");
  write_go_string(out, v.type);
  key(out, "realType");
  write_go_string(out, v.realType);
  key(out, "flags");
  write_json_int(out, v.flags);
  key(out, "kind");
  write_json_int(out, v.kind);
  key(out, "value");
  write_go_string(out, v.value);
  key(out, "len");
  write_json_int(out, v.len);
  key(out, "cap");
  write_json_int(out, v.cap);
  key(out, "children");
  variables(out, v.children);
  key(out, "base");
  write_json_int(out, v.base);
  key(out, "unreadable");
  write_go_string(out, v.unreadable);
  key(out, "LocationExpr");
  write_go_string(out, v.LocationExpr);
  key(out, "DeclLine");
  write_json_int(out, v.DeclLine);
  out += '}';
}

void write_go_json(std::string& out, const TracepointResult& v) {
  out += '{';
  key(out, "addr", true);
  write_json_int(out, v.addr);
  key(out, "file");
  write_go_string(out, v.file);
  key(out, "line");
  write_json_int(out, v.line);
  key(out, "is_ret");
  boolean(out, v.is_ret);
  if (!v.functionName.empty()) {
    key(out, "functionName");
    write_go_string(out, v.functionName);
  }
  key(out, "goroutineID");
  write_json_int(out, v.goroutineID);
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
    write_json_int(out, *v.durationNs);
  }
  out += '}';
}

}  // namespace gotrace::protocol::rpc
