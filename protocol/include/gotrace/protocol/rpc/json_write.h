// Serializes JSON exactly as Go's encoding/json Encoder does for Delve:
// compact, keys in the object's insertion order, and strings escaped like Go
// (<, >, & as \u003c \u003e \u0026; control characters other than \n \r \t
// as \u00XX; U+2028/U+2029 escaped; invalid UTF-8 replaced by \ufffd).
#pragma once

#include <boost/json/value.hpp>

#include <charconv>
#include <string>
#include <string_view>

namespace gotrace::protocol::rpc {

// Appends the Go encoding of v to out (no trailing newline).
void write_go_json(std::string& out, const boost::json::value& v);
std::string to_go_json(const boost::json::value& v);
// Appends s as a quoted, Go-escaped JSON string.
void write_go_string(std::string& out, std::string_view s);
// Go's utf8.ValidString.
bool valid_utf8(std::string_view s);
// Standard base64 with padding: how encoding/json writes a []byte.
std::string base64(std::string_view bytes);
// Appends an integer as JSON writes it.
template <class Int>
void write_json_int(std::string& out, Int v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace gotrace::protocol::rpc
