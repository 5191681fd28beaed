// Loads a site's values from one parsed record, Delve-style.
#pragma once

#include "binary_types.h"
#include "record.h"
#include "site_plan.h"

#include <vector>

namespace gotrace::tracer {

// Values [first, last) of `site`, loaded under `cfg`, flagged Argument or
// ReturnArgument, with Delve's addresses (stack slot, or a fake address for
// register-held values). Values in float registers are unreadable unless
// `float_registers` says the record holds them.
std::vector<values::Variable> load_site_values(const Record& rec, const SiteInfo& site,
                                               size_t first, size_t last,
                                               const symbols::Binary& binary,
                                               const BinaryTypes& types,
                                               const values::LoadConfig& cfg,
                                               bool float_registers);

}  // namespace gotrace::tracer
