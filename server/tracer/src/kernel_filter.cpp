#include "kernel_filter.h"

#include <algorithm>

#include <limits>

namespace gotrace::tracer {
namespace {

using symbols::Kind;

bool is_signed_int(Kind k) {
  return k == Kind::int_ || k == Kind::int8 || k == Kind::int16 || k == Kind::int32 || k == Kind::int64;
}
bool is_unsigned_int(Kind k) {
  return k == Kind::uint || k == Kind::uint8 || k == Kind::uint16 || k == Kind::uint32 ||
         k == Kind::uint64 || k == Kind::uintptr;
}
bool is_nilable(Kind k) {
  return k == Kind::pointer || k == Kind::unsafe_pointer || k == Kind::map || k == Kind::chan ||
         k == Kind::func;
}

uint8_t op_code(KernelTerm::Op op) {
  switch (op) {
    case KernelTerm::Op::eq: return GT_CMP_EQ;
    case KernelTerm::Op::ne: return GT_CMP_NE;
    case KernelTerm::Op::lt: return GT_CMP_LT;
    case KernelTerm::Op::le: return GT_CMP_LE;
    case KernelTerm::Op::gt: return GT_CMP_GT;
    case KernelTerm::Op::ge: return GT_CMP_GE;
  }
  return 0;
}

bool fits(int64_t v, uint64_t size, bool is_signed) {
  if (size >= 8) return is_signed || v >= 0;
  int bits = static_cast<int>(size * 8);
  if (is_signed) return v >= -(int64_t{1} << (bits - 1)) && v < (int64_t{1} << (bits - 1));
  return v >= 0 && v < (int64_t{1} << bits);
}

}  // namespace

std::optional<gt_pred> kernel_predicate(const KernelTerm& term, const std::vector<ValuePlan>& values) {
  std::string path = term.path;
  bool is_len = path.starts_with("len(") && path.ends_with(")");
  if (is_len) path = path.substr(4, path.size() - 5);
  size_t dot = path.find('.');
  std::string root = path.substr(0, dot);
  const ValuePlan* vp = nullptr;
  for (const ValuePlan& v : values)
    if (v.name == root) vp = &v;  // the last is the one in scope, as the evaluator finds it
  if (!vp || !vp->type || !vp->unreadable.empty()) return std::nullopt;

  // Down the field path, through struct values only (a pointer's target is
  // not among the words).
  const symbols::Type* t = vp->type;
  uint64_t off = 0;
  while (dot != std::string::npos) {
    size_t next = path.find('.', dot + 1);
    std::string field = path.substr(dot + 1, next == std::string::npos ? next : next - dot - 1);
    if (t->kind != Kind::struct_) return std::nullopt;
    const symbols::Field* f = nullptr;
    for (const auto& c : t->fields)
      if (c.name == field) f = &c;
    if (!f || !f->type) return std::nullopt;
    off += f->offset;
    t = f->type;
    dot = next;
  }

  uint64_t size = t->size;
  bool is_signed = is_signed_int(t->kind);
  gt_pred p{};
  p.op = op_code(term.op);
  if (is_len) {
    if (t->kind != Kind::string && t->kind != Kind::slice) return std::nullopt;
    off += 8;
    size = 8;
    is_signed = true;
    if (term.literal != KernelTerm::Literal::integer) return std::nullopt;
    p.value = static_cast<uint64_t>(term.value);
  } else if (is_signed || is_unsigned_int(t->kind)) {
    if (term.literal != KernelTerm::Literal::integer || !fits(term.value, size, is_signed)) return std::nullopt;
    p.value = static_cast<uint64_t>(term.value);
  } else if (t->kind == Kind::bool_) {
    if (term.literal != KernelTerm::Literal::boolean) return std::nullopt;
    if (term.op != KernelTerm::Op::eq && term.op != KernelTerm::Op::ne) return std::nullopt;
    p.value = term.value ? 1 : 0;
  } else if (is_nilable(t->kind)) {
    if (term.literal != KernelTerm::Literal::nil) return std::nullopt;
    if (term.op != KernelTerm::Op::eq && term.op != KernelTerm::Op::ne) return std::nullopt;
    p.value = 0;
  } else {
    return std::nullopt;
  }
  if (size != 1 && size != 2 && size != 4 && size != 8) return std::nullopt;

  // The operand must start a captured word.
  for (const Chunk& c : vp->chunks)
    if (c.value_offset == off && size <= c.size) {
      p.word = c.word;
      p.size = static_cast<gt_u8>(size);
      p.is_signed = is_signed ? 1 : 0;
      return p;
    }
  return std::nullopt;
}

std::vector<gt_pred> kernel_predicates(const std::vector<std::vector<KernelTerm>>& groups,
                                       const std::vector<ValuePlan>& values) {
  std::vector<std::vector<gt_pred>> mapped;
  for (const auto& g : groups) {
    std::vector<gt_pred> ps;
    for (const KernelTerm& t : g)
      if (auto p = kernel_predicate(t, values)) ps.push_back(*p);
    if (ps.empty()) return {};
    mapped.push_back(std::move(ps));
  }
  if (mapped.empty() || mapped.size() > GT_MAX_PREDS) return {};
  // Every group keeps its first term; the room left goes to the groups in
  // order (fewer terms: a weaker, still correct, filter).
  size_t room = GT_MAX_PREDS - mapped.size();
  std::vector<size_t> take(mapped.size(), 1);
  for (size_t i = 0; i < mapped.size() && room; i++) {
    size_t more = std::min(room, mapped[i].size() - 1);
    take[i] += more;
    room -= more;
  }
  std::vector<gt_pred> out;
  for (size_t i = 0; i < mapped.size(); i++)
    for (size_t j = 0; j < take[i]; j++) {
      gt_pred p = mapped[i][j];
      p.group = static_cast<gt_u8>(i);
      out.push_back(p);
    }
  return out;
}

}  // namespace gotrace::tracer
