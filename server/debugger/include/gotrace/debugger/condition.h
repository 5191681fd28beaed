// Breakpoint conditions (Delve's `Cond`) over the values a hit captured:
// comparisons of arguments, their fields (p.Name), len(x), and literals,
// joined with && and ||, with parentheses and !.
#pragma once

#include "gotrace/support/result.h"
#include "gotrace/tracer/engine.h"
#include "gotrace/values/variable.h"

#include <memory>
#include <string>
#include <vector>

namespace gotrace::debugger {

class Condition {
 public:
  // Parses `text`; fails naming the problem and where.
  static Result<Condition> parse(const std::string& text);
  // The identifiers the condition reads (to check they exist up front).
  std::vector<std::string> identifiers() const;
  // The comparisons of a variable (field path, len) with a constant joined
  // by && at the top of the condition: each must hold for the condition to,
  // so the kernel may drop a hit failing any of them.
  // `complete` is set when the terms are the whole condition.
  std::vector<tracer::KernelTerm> kernel_terms(bool* complete = nullptr) const;
  // The condition as an || of &&-joined terms, for the kernel
  // (Engine::set_kernel_filter's groups): one group per top-level disjunct,
  // holding that disjunct's terms. `complete` is set when the groups say
  // exactly what the condition says.
  std::vector<std::vector<tracer::KernelTerm>> kernel_groups(bool* complete = nullptr) const;
  // Evaluates against a hit's variables; fails if a value is missing or the
  // types do not compare.
  Result<bool> eval(const std::vector<values::Variable>& vars) const;

  struct Node;

 private:
  friend Result<values::Variable> evaluate_expression(const std::string&,
                                                      const std::vector<values::Variable>&);
  std::shared_ptr<const Node> root_;
};

// Evaluates a breakpoint's `variables` expression (an argument, a field
// path like p.Name, or len(x)) against a hit's variables; the result is named
// by the expression text, as Delve names it.
Result<values::Variable> evaluate_expression(const std::string& expr,
                                             const std::vector<values::Variable>& vars);

// Delve's hit conditions: "> N", ">= N", "< N", "<= N", "== N", "!= N",
// "% N" against a hit count.
Result<void> check_hit_condition(const std::string& text);
bool hit_condition_true(const std::string& text, uint64_t count);
// A valid hit condition parsed, in the form the kernel applies too (counter
// left 0); nullopt if invalid.
std::optional<tracer::KernelHitCondition> parse_hit_condition(const std::string& text);

}  // namespace gotrace::debugger
