// Logpoint message templates (DAP SourceBreakpoint.logMessage, gotrace's
// Tracepoint.logMessage) with Delve's rules (service/dap/server.go
// parseLogPoint; protocols.md §7.4):
//  * "{expr}" is an expression evaluated on each hit; everything else is
//    literal text;
//  * braces nest inside an expression: "{m[{1}]}" is one expression "m[{1}]"
//    (every brace must be paired, even inside a string literal in expr);
//  * the expression text is trimmed of surrounding whitespace, and an empty
//    result is an error: "empty evaluation string at offset 4";
//  * a '}' outside an expression is an error:
//    "invalid log point format, unexpected '}' at offset 7";
//  * an expression still open at the end is an error:
//    "invalid log point format, unmatched '{' at offset 3".
// Offsets are 0-based byte offsets into the message (of the offending brace).
// There is no escape for a literal brace. A literal '%' stays literal here
// (Delve would feed it to Sprintf). An empty message gives no segments:
// Delve then treats the breakpoint as an ordinary one, not a logpoint.
#pragma once

#include "gotrace/support/result.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gotrace::protocol::dap {

struct Segment {
  bool is_expr = false;
  std::string text;  // literal text, or the trimmed expression

  bool operator==(const Segment&) const = default;
};

// Adjacent literal text is merged into one segment. Errc::invalid_argument.
[[nodiscard]] Result<std::vector<Segment>> parse_log_message(std::string_view message);

// Joins the segments, substituting values[k] for the k-th expression
// ("<missing>" when values runs short). Delve's output event then sends
// "> [Go <goid>]: " + this + "\n".
std::string format_log_message(const std::vector<Segment>& segments, std::span<const std::string> values);

}  // namespace gotrace::protocol::dap
