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

// Fails for an unknown variable name (Delve's "could not find symbol value
// for NAME"), a pc outside `fn`, or a pc without call frame information.
Result<LinePlan> plan_line(const symbols::Binary& bin, const symbols::Function& fn, uint64_t pc,
                           const LineCapture& capture, const TraceOptions& opts);

}  // namespace gotrace::tracer
