#include "gotrace/protocol/rpc/json_write.h"

#include <boost/json/serialize.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>

namespace gotrace::protocol::rpc {
namespace json = boost::json;

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence at s[i], or 0 if invalid (Go's
// utf8.DecodeRuneInString rules: no overlongs, surrogates or > U+10FFFF).
std::size_t utf8_len(std::string_view s, std::size_t i, std::uint32_t& cp) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  std::size_t n;
  std::uint32_t lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) {
    n = 3; cp = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4; cp = c & 0x07;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    unsigned char d = b(k);
    if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xBF)) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  return n;
}

// Go's float formatting (encoding/json floatEncoder, 64-bit).
void write_double(std::string& out, double d) {
  if (!std::isfinite(d)) {  // Go refuses to encode these; null keeps the output valid JSON
    out += "null";
    return;
  }
  char buf[64];
  double a = std::fabs(d);
  bool sci = a != 0 && (a < 1e-6 || a >= 1e21);
  auto r = std::to_chars(buf, buf + sizeof buf, d, sci ? std::chars_format::scientific : std::chars_format::fixed);
  std::string s(buf, r.ptr);
  if (sci) {
    // Go writes e-07 as e-7 (but keeps e+21).
    std::size_t n = s.size();
    if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s.erase(n - 2, 1);
  }
  out += s;
}

}  // namespace

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    std::size_t n = utf8_len(s, i, cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t n = static_cast<std::uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<std::uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<std::uint8_t>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

void write_go_string(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t start = 0;
  auto flush = [&](std::size_t i) { out.append(s.data() + start, i - start); };
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
        ++i;
        continue;
      }
      flush(i);
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
      }
      start = ++i;
      continue;
    }
    std::uint32_t cp = 0;
    std::size_t n = utf8_len(s, i, cp);
    if (n == 0) {
      flush(i);
      out += "\\ufffd";
      start = ++i;
      continue;
    }
    if (cp == 0x2028 || cp == 0x2029) {
      flush(i);
      out += cp == 0x2028 ? "\\u2028" : "\\u2029";
      start = i + n;
    }
    i += n;
  }
  flush(s.size());
  out.push_back('"');
}

void write_go_json(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: out += "null"; break;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case json::kind::int64: write_json_int(out, v.get_int64()); break;
    case json::kind::uint64: write_json_int(out, v.get_uint64()); break;
    case json::kind::double_: write_double(out, v.get_double()); break;
    case json::kind::string: write_go_string(out, v.get_string()); break;
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        write_go_json(out, e);
      }
      out.push_back(']');
      break;
    }
    case json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        write_go_string(out, kv.key());
        out.push_back(':');
        write_go_json(out, kv.value());
      }
      out.push_back('}');
      break;
    }
  }
}

std::string to_go_json(const json::value& v) {
  std::string out;
  write_go_json(out, v);
  return out;
}

}  // namespace gotrace::protocol::rpc
