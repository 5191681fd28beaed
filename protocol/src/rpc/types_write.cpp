// The hot replies written straight to text, skipping the boost::json tree
// that to_json builds: a GetBufferedTracepoints reply under load carries tens
// of thousands of results, and building then walking a tree per Variable was
// most of the server's cost per delivered hit. Key order and omitempty rules
// are to_json's (types_to_json.cpp); a test holds the two equal.
#include "gotrace/protocol/rpc/json_write.h"
#include "gotrace/protocol/rpc/types.h"

namespace gotrace::protocol::rpc {

namespace {

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
  out += "{\"name\":";
  write_go_string(out, v.name);
  out += ",\"addr\":";
  write_json_int(out, v.addr);
  out += ",\"onlyAddr\":";
  boolean(out, v.onlyAddr);
  out += ",\"type\":";
  write_go_string(out, v.type);
  out += ",\"realType\":";
  write_go_string(out, v.realType);
  out += ",\"flags\":";
  write_json_int(out, v.flags);
  out += ",\"kind\":";
  write_json_int(out, v.kind);
  out += ",\"value\":";
  write_go_string(out, v.value);
  out += ",\"StringValueBytes\":";
  if (v.kind == 24 && !valid_utf8(v.value)) {
    out += '"';
    out += base64(v.value);
    out += '"';
  } else {
    out += "null";
  }
  out += ",\"len\":";
  write_json_int(out, v.len);
  out += ",\"cap\":";
  write_json_int(out, v.cap);
  out += ",\"children\":";
  variables(out, v.children);
  out += ",\"base\":";
  write_json_int(out, v.base);
  out += ",\"unreadable\":";
  write_go_string(out, v.unreadable);
  out += ",\"LocationExpr\":";
  write_go_string(out, v.LocationExpr);
  out += ",\"DeclLine\":";
  write_json_int(out, v.DeclLine);
  out += '}';
}

void write_go_json(std::string& out, const TracepointResult& v) {
  out += "{\"addr\":";
  write_json_int(out, v.addr);
  out += ",\"file\":";
  write_go_string(out, v.file);
  out += ",\"line\":";
  write_json_int(out, v.line);
  out += ",\"is_ret\":";
  boolean(out, v.is_ret);
  if (!v.functionName.empty()) {
    out += ",\"functionName\":";
    write_go_string(out, v.functionName);
  }
  out += ",\"goroutineID\":";
  write_json_int(out, v.goroutineID);
  if (!v.inputParams.empty()) {
    out += ",\"inputParams\":";
    variables(out, v.inputParams);
  }
  if (!v.returnParams.empty()) {
    out += ",\"returnParams\":";
    variables(out, v.returnParams);
  }
  if (v.durationNs) {
    out += ",\"durationNs\":";
    write_json_int(out, *v.durationNs);
  }
  out += '}';
}

}  // namespace gotrace::protocol::rpc
