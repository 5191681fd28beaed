#include "location_spec.h"

#include "gotrace/values/go_quote.h"

#include <charconv>
#include <vector>

namespace gotrace::debugger::locspec {
namespace {

// Go's strconv.Atoi: optional sign, decimal digits, nothing else.
std::optional<int> atoi_go(std::string_view s) {
  if (s.empty()) return std::nullopt;
  size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
  int v = 0;
  auto [p, ec] = std::from_chars(s.data() + i, s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || i == s.size()) return std::nullopt;
  return s[0] == '-' ? -v : v;
}

// strconv.ParseInt(s, 0, 64) for a line number: decimal, 0x, 0o/0, 0b.
std::optional<int64_t> parse_int_base0(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool neg = s[0] == '-';
  if (s[0] == '+' || s[0] == '-') s.remove_prefix(1);
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s.remove_prefix(2);
  else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) base = 2, s.remove_prefix(2);
  else if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) base = 8, s.remove_prefix(2);
  else if (s.size() > 1 && s[0] == '0') base = 8, s.remove_prefix(1);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return neg ? -v : v;
}

std::string strip_receiver_decoration(const std::string& in) {
  if (in.size() < 3 || in[0] != '(' || in[1] != '*' || in.back() != ')') return in;
  return in.substr(2, in.size() - 3);
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); i++)
    if (i == s.size() || s[i] == sep) {
      out.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

std::optional<FuncSpec> parse_func(const std::string& in) {
  std::vector<std::string> v;
  size_t pathend = in.rfind('/');
  if (pathend == std::string::npos) {
    v = split(in, '.');
  } else {
    v = split(std::string_view(in).substr(pathend), '.');
    v[0] = in.substr(0, pathend) + v[0];
  }
  FuncSpec spec;
  switch (v.size()) {
    case 1: spec.base = v[0]; break;
    case 2: {
      spec.base = v[1];
      std::string r = strip_receiver_decoration(v[0]);
      if (r != v[0]) spec.receiver = r;
      else if (r.find('/') != std::string::npos) spec.package = r;
      else spec.package_or_receiver = r;
      break;
    }
    case 3:
      spec.base = v[2];
      spec.receiver = strip_receiver_decoration(v[1]);
      spec.package = v[0];
      break;
    default: return std::nullopt;
  }
  if (spec.package.starts_with('/')) {
    spec.package.erase(0, 1);
    spec.absolute_package = true;
  }
  if (spec.base.find('/') != std::string::npos || spec.receiver.find('/') != std::string::npos) return std::nullopt;
  return spec;
}

// Delve's Function.parse: package, receiver and base name, the dots counted
// after the last slash outside type parameter brackets.
struct NameParts {
  std::string package, receiver, base;
};

NameParts parts_of(std::string_view name) {
  if (name.starts_with("go:") || name.starts_with("type:")) return {"", "", std::string(name)};
  int dot1 = -1, dot2 = -1, depth = 0;
  for (size_t i = 0; i < name.size(); i++) {
    char c = name[i];
    if (depth == 0) {
      if (c == '[') depth++;
      else if (c == '/') dot1 = dot2 = -1;
      else if (c == '.') {
        if (dot1 < 0) dot1 = static_cast<int>(i);
        else if (dot2 < 0) dot2 = static_cast<int>(i);
      }
    } else if (c == '[') {
      depth++;
    } else if (c == ']') {
      depth--;
    }
  }
  if (dot1 < 0) return {"", "", std::string(name)};
  if (dot2 < 0) return {std::string(name.substr(0, dot1)), "", std::string(name.substr(dot1 + 1))};
  return {std::string(name.substr(0, dot1)), std::string(name.substr(dot1 + 1, dot2 - dot1 - 1)),
          std::string(name.substr(dot2 + 1))};
}

}  // namespace

bool partial_path_match(std::string_view expr, std::string_view path) {
  if (expr.size() + 1 < path.size())
    return path.ends_with(expr) && path[path.size() - expr.size() - 1] == '/';
  return expr == path;
}

bool matches(const FuncSpec& spec, std::string_view function_name) {
  NameParts p = parts_of(function_name);
  if (spec.base != p.base) return false;
  std::string recv = strip_receiver_decoration(p.receiver);
  if (!spec.receiver.empty() && spec.receiver != recv) return false;
  if (!spec.package.empty()) {
    if (spec.absolute_package ? spec.package != p.package : !partial_path_match(spec.package, p.package))
      return false;
  }
  if (!spec.package_or_receiver.empty() && !partial_path_match(spec.package_or_receiver, p.package) &&
      spec.package_or_receiver != recv)
    return false;
  return true;
}

Result<Spec> parse(std::string_view loc) {
  auto malformed = [&](size_t at, const std::string& reason) {
    return make_error(Errc::invalid_argument, "Malformed breakpoint location " + values::go_quote(loc) + " at " +
                                                  std::to_string(at) + ": " + reason);
  };
  if (loc.empty()) return malformed(0, "empty string");
  Spec spec;
  switch (loc[0]) {
    case '+':
    case '-': {
      auto n = atoi_go(loc);
      if (!n) return malformed(0, "strconv.Atoi: parsing \"" + std::string(loc) + "\": invalid syntax");
      spec.kind = Spec::Kind::offset;
      spec.offset = *n;
      return spec;
    }
    case '/':
      if (loc.back() == '/') {
        // Delve's readRegex: "\/" is a slash, other escapes stay.
        std::string rx;
        std::string_view in = loc.substr(1);
        bool escaped = false;
        size_t i = 0;
        for (; i < in.size(); i++) {
          char c = in[i];
          if (escaped) {
            if (c != '/') rx += '\\';
            rx += c;
            escaped = false;
          } else if (c == '\\') {
            escaped = true;
          } else if (c == '/') {
            break;
          } else {
            rx += c;
          }
        }
        std::string_view rest = in.substr(std::min(i, in.size()));
        if (rest.empty()) return malformed(0, "non-terminated regular expression");
        if (rest.size() > 1) return malformed(0, "no line offset can be specified for regular expression locations");
        spec.kind = Spec::Kind::regex;
        spec.regex = rx;
        return spec;
      }
      break;
    case '*':
      spec.kind = Spec::Kind::address;
      spec.address_expression = std::string(loc.substr(1));
      return spec;
    default: break;
  }
  std::vector<std::string> v = split(loc, ':');
  if (v.size() > 2) {
    std::string head = v[0];
    for (size_t i = 1; i + 1 < v.size(); i++) head += ":" + v[i];
    v = {head, v.back()};
  }
  if (v.size() == 1)
    if (auto n = parse_int_base0(v[0])) {
      spec.kind = Spec::Kind::line;
      spec.line = static_cast<int>(*n);
      return spec;
    }
  spec.base = v[0];
  spec.func = parse_func(spec.base);
  if (v.size() < 2) return spec;
  auto off = atoi_go(v[1]);
  if (!off || *off < 0) return malformed(loc.size() - v[1].size(), "line offset negative or not a number");
  spec.line_offset = *off;
  return spec;
}

}  // namespace gotrace::debugger::locspec
