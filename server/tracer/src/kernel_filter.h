// Condition terms the BPF program can check before a hit is recorded: a
// comparison of one captured word (an integer, bool or pointer variable, a
// field of a struct value, the length of a string or slice) with a constant.
#pragma once

#include "capture_plan.h"
#include "gotrace/tracer/engine.h"

#include <optional>
#include <vector>

namespace gotrace::tracer {

// The kernel form of `term` over a site whose values are `values`, or
// nullopt when the captured words cannot decide it exactly (a field behind a
// pointer, a value split oddly, a constant out of the type's range).
std::optional<gt_pred> kernel_predicate(const KernelTerm& term,
                                        const std::vector<ValuePlan>& values);

// The predicates for a condition in disjunctive normal form (groups of
// terms, any group all true), at most GT_MAX_PREDS, each tagged with its
// group. Undecidable terms are left out of their group; every group keeps
// at least one term or the result is empty (no filter: the kernel must not
// drop a hit some group would keep).
std::vector<gt_pred> kernel_predicates(const std::vector<std::vector<KernelTerm>>& groups,
                                       const std::vector<ValuePlan>& values);

}  // namespace gotrace::tracer
