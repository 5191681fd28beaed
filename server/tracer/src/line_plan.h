// A probe in the middle of a function: the statement at a PC, with the
// variables in scope there captured from their DWARF locations.
#pragma once

#include "site_plan.h"

namespace gotrace::tracer {

struct LinePlan {
  symbols::Signature signature;
  symbols::SourceLine line;
  PlannedSite site;
};

// A DWARF location at a site as capture pieces: Go's frame base is the CFA,
// and CFA = SP + `cfa` at the site's pc.
Placement placement_from_dwarf(const symbols::ScopedVariable& v, int64_t cfa, arch::Machine m);

// Whether the function's own frame is set up at a pc whose CFA is SP + `cfa`
// (GT_SPEC_FRAME_SET): past the entry, where the return address is all
// there is (amd64: CFA = SP + 8; arm64: CFA = SP, in the link register).
bool frame_is_set(int64_t cfa, arch::Machine m);

// Fails for an unknown variable name (Delve's "could not find symbol value
// for NAME"), a pc outside `fn`, or a pc without call frame information.
Result<LinePlan> plan_line(const symbols::Binary& bin, const symbols::Function& fn, uint64_t pc,
                           const LineCapture& capture, const TraceOptions& opts);

}  // namespace gotrace::tracer
