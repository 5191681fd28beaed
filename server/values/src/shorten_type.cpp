// api.ShortenType (Delve 1.27.2, service/api/shorten_type.go): a type name
// without its package path, as `dlv trace -v 1..4` prints types.
#include "gotrace/values/trace_format.h"

#include <cctype>
#include <optional>
#include <vector>

namespace gotrace::values {
namespace {

bool contains_anonymous_type(std::string_view typ) {
  for (std::string_view thing : {"interface {", "interface{", "struct {", "struct{", "func (", "func("}) {
    size_t idx = typ.find(thing);
    if (idx != std::string_view::npos && idx + thing.size() < typ.size()) {
      char ch = typ[idx + thing.size()];
      if (ch != '}' && ch != ')') return true;
    }
  }
  return false;
}

// unicode.IsLetter/IsDigit on the name's runes: ASCII by class; other runes
// count as letters (Go identifiers), but for U+00B7 (middle dot), which the
// linker puts in some symbol names and which is punctuation.
bool name_char(std::string_view typ, size_t i) {
  unsigned char ch = static_cast<unsigned char>(typ[i]);
  if (ch < 0x80)
    return std::isalnum(ch) || ch == '_' || ch == '.' || ch == '/' || ch == '@' || ch == '%' || ch == '-';
  if (ch == 0xc2 && i + 1 < typ.size() && static_cast<unsigned char>(typ[i + 1]) == 0xb7) return false;
  return true;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::optional<std::string> shorten(std::string_view typ) {
  if (typ.starts_with("[")) {
    size_t i = typ.find(']');
    if (i == std::string_view::npos) return std::nullopt;
    auto sub = shorten(typ.substr(i + 1));
    if (!sub) return std::nullopt;
    return std::string(typ.substr(0, i + 1)) + *sub;
  }
  if (typ.starts_with("*")) {
    auto sub = shorten(typ.substr(1));
    if (!sub) return std::nullopt;
    return "*" + *sub;
  }
  if (typ.starts_with("map[")) {
    int depth = 1;
    for (size_t i = 4; i < typ.size(); ++i) {
      if (typ[i] == '[') {
        ++depth;
      } else if (typ[i] == ']' && --depth == 0) {
        auto key = shorten(typ.substr(4, i - 4));
        auto val = shorten(typ.substr(i + 1));
        if (!key || !val) return std::nullopt;
        return "map[" + *key + "]" + *val;
      }
    }
    return std::nullopt;
  }
  if (typ == "interface {}" || typ == "interface{}" || typ == "struct {}" || typ == "struct{}")
    return std::string(typ);
  if (contains_anonymous_type(typ)) return std::nullopt;
  if (size_t lbrk = typ.find('['); lbrk != std::string_view::npos) {
    // A generic instance: its arguments are split at every comma, as Delve
    // does, and joined again with ", ".
    if (typ.back() != ']') return std::nullopt;
    auto base = shorten(typ.substr(0, lbrk));
    if (!base) return std::nullopt;
    std::string out = *base + "[";
    std::string_view args = typ.substr(lbrk + 1, typ.size() - lbrk - 2);
    size_t start = 0;
    for (bool first = true;; first = false) {
      size_t comma = args.find(',', start);
      auto arg = shorten(trim(args.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
      if (!arg) return std::nullopt;
      if (!first) out += ", ";
      out += *arg;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return out + "]";
  }
  int slashes = 0;
  size_t slash = std::string_view::npos;
  for (size_t i = 0; i < typ.size(); ++i) {
    if (!name_char(typ, i)) return std::nullopt;
    if (typ[i] == '/') {
      slash = i;
      ++slashes;
    }
  }
  if (slashes <= 1 || slash == std::string_view::npos) return std::string(typ);
  return std::string(typ.substr(slash + 1));
}

}  // namespace

std::string shorten_type(std::string_view typ) {
  auto out = shorten(typ);
  return out ? *out : std::string(typ);
}

}  // namespace gotrace::values
