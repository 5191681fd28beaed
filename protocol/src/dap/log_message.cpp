#include "gotrace/protocol/dap/log_message.h"

namespace gotrace::protocol::dap {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

Error invalid(std::string what, std::size_t offset) {
  return make_error(Errc::invalid_argument, std::move(what) + " at offset " + std::to_string(offset));
}

}  // namespace

Result<std::vector<Segment>> parse_log_message(std::string_view message) {
  std::vector<Segment> out;
  std::string literal;
  std::size_t depth = 0;       // brace depth; > 0 inside an expression
  std::size_t expr_open = 0;   // offset of the expression's opening '{'
  for (std::size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    // Braces are ASCII, so scanning bytes matches Delve's scan of runes.
    if (depth == 0) {
      if (c == '}') return invalid("invalid log point format, unexpected '}'", i);
      if (c == '{') {
        depth = 1;
        expr_open = i;
        if (!literal.empty()) out.push_back(Segment{false, std::move(literal)});
        literal.clear();
        continue;
      }
      literal += c;
      continue;
    }
    if (c == '{') {
      ++depth;
    } else if (c == '}' && --depth == 0) {
      std::string_view expr = trim(message.substr(expr_open + 1, i - expr_open - 1));
      if (expr.empty()) return invalid("empty evaluation string", expr_open);
      out.push_back(Segment{true, std::string(expr)});
    }
  }
  if (depth > 0) return invalid("invalid log point format, unmatched '{'", expr_open);
  if (!literal.empty()) out.push_back(Segment{false, std::move(literal)});
  return out;
}

std::string format_log_message(const std::vector<Segment>& segments, std::span<const std::string> values) {
  std::string out;
  std::size_t k = 0;
  for (const Segment& s : segments) {
    if (!s.is_expr) {
      out += s.text;
    } else {
      out += k < values.size() ? values[k] : std::string("<missing>");
      ++k;
    }
  }
  return out;
}

}  // namespace gotrace::protocol::dap
