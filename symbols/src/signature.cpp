#include "signature.h"

#include "lines.h"
#include "shaped_name.h"
#include "text_util.h"

#include <dwarf.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace gotrace::symbols::detail {
namespace {

struct ParamKey {
  std::string name;
  Dwarf_Off type = 0;
  bool result = false;
  uint64_t line = 0;
  auto operator<=>(const ParamKey&) const = default;
};

// The receiver type of method `fn` as DWARF names it ("*main.Rect" for
// "main.(*Rect).Area", "main.Rect" for "main.Rect.Area"), and its package.
std::optional<std::pair<std::string, std::string>> receiver_of(std::string_view fn) {
  if (fn.find('[') != std::string_view::npos) return std::nullopt;
  size_t star = fn.find(".(*");
  if (star != std::string_view::npos) {
    size_t close = fn.find(").", star);
    if (close == std::string_view::npos) return std::nullopt;
    std::string pkg(fn.substr(0, star));
    return std::pair{"*" + pkg + "." + std::string(fn.substr(star + 3, close - star - 3)), pkg};
  }
  size_t method = fn.rfind('.');
  if (method == std::string_view::npos) return std::nullopt;
  std::string_view recv = fn.substr(0, method);
  size_t slash = recv.rfind('/');
  size_t dot = recv.find('.', slash == std::string_view::npos ? 0 : slash);
  if (dot == std::string_view::npos) return std::nullopt;
  return std::pair{std::string(recv), std::string(recv.substr(0, dot))};
}

}  // namespace

Result<Signature> read_signature(DwarfIndex& index, TypeTable& types, const Function& fn,
                                 const std::string& path) {
  auto sp = index.subprogram_at(fn.entry);
  if (!sp)
    return make_error(Errc::not_found, cat("no DWARF subprogram for ", fn.name, " at ", hex(fn.entry), " in ", path));
  Signature sig;
  sig.optimized = sp->optimized;
  // Shape-instantiated generic functions take a hidden dictionary pointer.
  // DWARF lists it as ".dict", in its place, only in -N builds; otherwise
  // the name says (closures of a shaped function reach it through their
  // context instead). Reported as a flag, never as a parameter.
  ShapedName shape = classify_shaped(fn.name);
  sig.has_dictionary = shape.shaped;
  sig.generic_method = shape.method;

  // A set, not a list searched per parameter: damaged DWARF can give a
  // function thousands of them, and a quadratic search would stall open.
  std::set<ParamKey> seen;
  uint64_t min_param_line = 0;
  Dwarf_Die child;
  if (dwarf_child(&sp->die, &child) == 0) {
    do {
      if (dwarf_tag(&child) != DW_TAG_formal_parameter) continue;
      Variable v;
      v.name = std::string(attr_string(&child, DW_AT_name).value_or(""));
      // Go marks results (named or "~rN") with DW_AT_variable_parameter.
      v.is_result = attr_flag(&child, DW_AT_variable_parameter);
      if (v.name == ".dict") {
        sig.has_dictionary = true;
        sig.dictionary_index = static_cast<int>(sig.params.size());
        continue;
      }
      auto type_die = attr_ref(&child, DW_AT_type);
      ParamKey key{v.name, type_die ? dwarf_dieoffset(&*type_die) : 0, v.is_result,
                   attr_udata(&child, DW_AT_decl_line).value_or(0)};
      // Go 1.18 can emit the same parameter DIE twice (golang/go#51725).
      // Blank parameters legitimately repeat their name.
      bool repeated = !seen.insert(key).second;
      if (v.name != "_" && repeated) continue;
      if (key.line > 0 && (min_param_line == 0 || key.line < min_param_line)) min_param_line = key.line;
      if (type_die) v.type = types.from_die(&*type_die);
      if (!v.type)
        return make_error(Errc::corrupt, cat("parameter ", v.name, " of ", fn.name, " has no type in ", path));
      (v.is_result ? sig.results : sig.params).push_back(std::move(v));
    } while (dwarf_siblingof(&child, &child) == 0);
  }

  // Optimized builds describe method wrappers (DW_AT_trampoline: (*T).M for
  // a value method, promoted methods) without their receiver, which still
  // takes the first argument register: put it back, or every parameter
  // after it would be read from the wrong register. Not for a method
  // value's wrapper ("(*T).M-fm", a trampoline too since Go 1.2x): its
  // receiver is in the closure it is called through, not an argument.
  if (attr_flag(&sp->die, DW_AT_trampoline) && !fn.name.ends_with("-fm"))
    if (auto recv = receiver_of(fn.name))
      if (const Type* t = types.by_name_in_package(recv->first, recv->second);
          t && (sig.params.empty() || sig.params.front().type != t))
        sig.params.insert(sig.params.begin(), Variable{".this", t, false});

  // Go 1.19 emits DW_AT_decl_file but no DW_AT_decl_line on subprograms.
  // The entry PC's line is the "func" line in -N builds, but in optimized
  // leaf functions (no stack check) it is the first statement; parameters
  // do carry the line they are declared on. Take the smaller of the two.
  const char* decl_file = dwarf_decl_file(&sp->die);
  int decl_line = 0;
  bool has_line = dwarf_decl_line(&sp->die, &decl_line) == 0 && decl_line > 0;
  if (decl_file) sig.decl.file = decl_file;
  if (has_line) {
    sig.decl.line = decl_line;
  } else {
    auto sl = pc_to_line(index, fn.entry);
    if (sl && (!decl_file || sl->file == decl_file)) {
      sig.decl.line = sl->line;
      if (!decl_file) sig.decl.file = sl->file;
    }
    if (min_param_line > 0 && (sig.decl.line == 0 || min_param_line < static_cast<uint64_t>(sig.decl.line)))
      sig.decl.line = static_cast<int>(min_param_line);
  }
  return sig;
}

}  // namespace gotrace::symbols::detail
