#include "go_format.h"

#include "gotrace/values/go_quote.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace gotrace::values::detail {
namespace {

// One UTF-8 sequence as Go's utf8.DecodeRuneInString reads it: invalid,
// overlong, surrogate and out-of-range sequences decode as (RuneError, 1).
struct Decoded {
  char32_t rune;
  size_t width;
  bool valid;
};

Decoded decode_rune(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  const uint8_t c = b(0);
  if (c < 0x80) return {c, 1, true};
  if (c >= 0xC2 && c <= 0xDF && cont(1))
    return {static_cast<char32_t>(((c & 0x1F) << 6) | (b(1) & 0x3F)), 2, true};
  if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
    char32_t r = ((c & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    if (r >= 0x800 && !(r >= 0xD800 && r <= 0xDFFF)) return {r, 3, true};
  }
  if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    char32_t r = ((c & 0x07) << 18) | ((b(1) & 0x3F) << 12) |
                 ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    if (r >= 0x10000 && r <= 0x10FFFF) return {r, 4, true};
  }
  return {0xFFFD, 1, false};
}

// unicode.IsPrint for non-ASCII runes, approximated: Go excludes controls,
// format characters, spaces other than U+0020, private use and unassigned
// code points; only the first four are known here.
bool is_print_non_ascii(char32_t r) {
  if (r >= 0x80 && r <= 0xA0) return false;
  if (r == 0xAD || r == 0x61C || r == 0x6DD || r == 0x70F || r == 0x180E ||
      r == 0x1680 || r == 0xFEFF || r == 0x3000 || r == 0x205F ||
      r == 0x202F)
    return false;
  if ((r >= 0x600 && r <= 0x605) || (r >= 0x2000 && r <= 0x200F) ||
      (r >= 0x2028 && r <= 0x202E) || (r >= 0x2060 && r <= 0x206F) ||
      (r >= 0xFFF9 && r <= 0xFFFB) || r == 0xFFFE || r == 0xFFFF)
    return false;
  if ((r >= 0xE000 && r <= 0xF8FF) || r >= 0xF0000) return false;
  if (r >= 0xE0000 && r <= 0xE007F) return false;
  return true;
}

void append_hex(std::string& out, uint32_t v, int digits) {
  static const char* kDigits = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) out += kDigits[(v >> (4 * i)) & 0xF];
}

}  // namespace

void append_go_quote_body(std::string& out, std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    Decoded d = decode_rune(s, i);
    if (!d.valid) {
      out += "\\x";
      append_hex(out, static_cast<uint8_t>(s[i]), 2);
      i += 1;
      continue;
    }
    const char32_t r = d.rune;
    if (r == '"' || r == '\\') {
      out += '\\';
      out += static_cast<char>(r);
    } else if (r >= 0x20 && r < 0x7F) {
      out += static_cast<char>(r);
    } else if (r >= 0x80 && is_print_non_ascii(r)) {
      out.append(s.substr(i, d.width));
    } else {
      switch (r) {
        case '\a': out += "\\a"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\v': out += "\\v"; break;
        default:
          if (r < 0x20 || r == 0x7F) {
            out += "\\x";
            append_hex(out, r, 2);
          } else if (r < 0x10000) {
            out += "\\u";
            append_hex(out, r, 4);
          } else {
            out += "\\U";
            append_hex(out, r, 8);
          }
      }
    }
    i += d.width;
  }
}

std::string format_float(double f, int bits) {
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  if (std::isnan(f)) return "NaN";
  // 'f' with the shortest round-tripping digits: up to ~310 integer digits.
  char buf[400];
  std::to_chars_result r =
      bits == 32 ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(f),
                                 std::chars_format::fixed)
                 : std::to_chars(buf, buf + sizeof buf, f,
                                 std::chars_format::fixed);
  if (r.ec != std::errc()) return "NaN";
  return std::string(buf, r.ptr);
}

std::string format_constant_float(double f) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", f);
  std::string s = buf;
  if (f != std::trunc(f) && s.find('.') == std::string::npos &&
      s.find('e') == std::string::npos) {
    std::snprintf(buf, sizeof buf, "%g", f);
    s = buf;
  }
  return s;
}

std::string hex(uint64_t v) {
  std::string out;
  append_hex_number(out, v);
  return out;
}

void append_hex_number(std::string& out, uint64_t v) {
  char buf[24] = {'0', 'x'};
  auto r = std::to_chars(buf + 2, buf + sizeof buf, v, 16);
  out.append(buf, r.ptr);
}

std::string_view kind_name(symbols::Kind k) {
  static constexpr std::string_view kNames[] = {
      "invalid", "bool",      "int",        "int8",    "int16",
      "int32",   "int64",     "uint",       "uint8",   "uint16",
      "uint32",  "uint64",    "uintptr",    "float32", "float64",
      "complex64", "complex128", "array",   "chan",    "func",
      "interface", "map",     "ptr",        "slice",   "string",
      "struct",  "unsafe.Pointer"};
  auto i = static_cast<size_t>(k);
  return i < std::size(kNames) ? kNames[i] : std::string_view("invalid");
}

}  // namespace gotrace::values::detail

namespace gotrace::values {

std::string go_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  detail::append_go_quote_body(out, s);
  out += '"';
  return out;
}

}  // namespace gotrace::values
