#include "shaped_name.h"

#include "gotrace/support/go_release.h"
#include "gotrace/symbols/binary.h"

#include <cctype>
#include <vector>

namespace gotrace::symbols::detail {
namespace {

// The name's parts after its package path, split at the dots outside
// brackets, braces and parentheses (shape type arguments carry dots,
// slashes and spaces of their own): "(*Stack[go.shape.string])", "Push"
// for "main.(*Stack[go.shape.string]).Push".
std::vector<std::string_view> parts_after_package(std::string_view fn) {
  int depth = 0;
  size_t last_slash = std::string_view::npos;
  for (size_t i = 0; i < fn.size(); ++i) {
    char c = fn[i];
    if (c == '[' || c == '{' || c == '(') depth++;
    else if (c == ']' || c == '}' || c == ')') depth--;
    else if (c == '/' && depth == 0) last_slash = i;
  }
  std::vector<std::string_view> parts;
  depth = 0;
  bool in_package = true;
  size_t start = last_slash == std::string_view::npos ? 0 : last_slash + 1;
  for (size_t i = start; i <= fn.size(); ++i) {
    char c = i < fn.size() ? fn[i] : '.';
    if (c == '[' || c == '{' || c == '(') depth++;
    else if (c == ']' || c == '}' || c == ')') depth--;
    if (c != '.' || depth != 0) continue;
    if (!in_package) parts.push_back(fn.substr(start, i - start));
    in_package = false;
    start = i + 1;
  }
  return parts;
}

bool has_shape(std::string_view part) { return part.find("[go.shape.") != std::string_view::npos; }

// funcN, gowrapN, deferwrapN: the compiler's names for closures.
bool is_closure_name(std::string_view part) {
  for (std::string_view prefix : {"func", "gowrap", "deferwrap"}) {
    if (!part.starts_with(prefix) || part.size() == prefix.size()) continue;
    bool digits = true;
    for (char c : part.substr(prefix.size())) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (digits) return true;
  }
  return false;
}

bool is_wrapper(std::string_view part) {
  return part.ends_with("-fm") || part.find("-range") != std::string_view::npos;
}

}  // namespace

ShapedName classify_shaped(std::string_view fn) {
  if (fn.starts_with("type:")) return {};
  std::vector<std::string_view> parts = parts_after_package(fn);
  if (parts.size() == 1 && has_shape(parts[0]) && !is_wrapper(parts[0])) return {true, false};
  if (parts.size() == 2 && has_shape(parts[0]) && !is_closure_name(parts[1]) && !is_wrapper(parts[0]) &&
      !is_wrapper(parts[1]))
    return {true, true};
  return {};
}

}  // namespace gotrace::symbols::detail

namespace gotrace::symbols {

size_t dictionary_position(const Signature& sig, std::string_view go_version) {
  if (sig.dictionary_index >= 0) return static_cast<size_t>(sig.dictionary_index);
  if (!sig.generic_method || sig.params.empty()) return 0;
  // A release before 1.20 passes it ahead of the receiver. An unknown
  // version counts as a current one.
  std::optional<int> minor = go_minor(go_version);
  return minor && *minor < 20 ? 0 : 1;
}

}  // namespace gotrace::symbols
