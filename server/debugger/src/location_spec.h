// Delve's location specifications (pkg/locspec), parsed as Delve parses
// them so that `break`, `trace` and FindLocation accept the same strings and
// refuse the same ones with the same messages.
#pragma once

#include "gotrace/support/result.h"

#include <optional>
#include <string>
#include <string_view>

namespace gotrace::debugger::locspec {

// The function part of "pkg.(*Recv).Name": each piece optional.
struct FuncSpec {
  std::string package;
  bool absolute_package = false;  // written with a leading '/'
  std::string receiver;
  std::string package_or_receiver;  // "x.Name": either one
  std::string base;
};

struct Spec {
  enum class Kind { normal, regex, address, offset, line };
  Kind kind = Kind::normal;
  std::string base;                // normal: a file or a function
  std::optional<FuncSpec> func;    // normal: base read as a function
  int line_offset = -1;            // normal: after ':' (-1: none)
  std::string regex;               // /regex/
  std::string address_expression;  // *EXPR
  int offset = 0;                  // +N / -N
  int line = 0;                    // N
};

// Errors carry Delve's text ("Malformed breakpoint location ...").
Result<Spec> parse(std::string_view loc);

// Delve's FuncLocationSpec.Match against a function's full name.
bool matches(const FuncSpec& spec, std::string_view function_name);

// "b/prog.go" matches "/a/b/prog.go"; an expression as long as the path
// must equal it (Delve's partialPackageMatch).
bool partial_path_match(std::string_view expr, std::string_view path);

}  // namespace gotrace::debugger::locspec
