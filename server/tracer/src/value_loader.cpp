#include "value_loader.h"

#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace gotrace::tracer {

std::vector<values::Variable> load_site_values(const Record& rec, const SiteInfo& site,
                                               size_t first, size_t last,
                                               const symbols::Binary& binary,
                                               const BinaryTypes& types,
                                               const values::LoadConfig& cfg,
                                               bool float_registers) {
  std::vector<values::Variable> out;
  const size_t end = std::min(last, site.values.size());
  if (first < end) out.reserve(end - first);
  CapturedMemory mem(rec, &binary, types.bias());
  uint64_t reg_index = 0;
  for (size_t i = first; i < end; i++) {
    const ValuePlan& vp = site.values[i];
    uint64_t addr = vp.on_stack ? rec.hdr.sp + static_cast<uint64_t>(vp.stack_offset)
                                : values::kFakeAddressBase + 0x100 * reg_index++;
    values::Variable v;
    if (!vp.unreadable.empty() || !vp.type || (vp.in_float_registers && !float_registers)) {
      static const symbols::Type unknown{};
      std::string why = vp.unreadable.empty() && vp.type ? "unreadable float register" : vp.unreadable;
      v = values::unreadable_variable(vp.name, vp.type ? *vp.type : unknown, why);
    } else {
      // Most values are a few words: their bytes stay on the stack.
      boost::container::small_vector<uint8_t, 64> bytes(vp.size, 0);
      for (const Chunk& c : vp.chunks) {
        if (c.word >= rec.words.size() || c.value_offset + c.size > bytes.size()) continue;
        std::memcpy(bytes.data() + c.value_offset, &rec.words[c.word],
                    std::min<uint32_t>(c.size, 8));
      }
      v = values::load_variable(vp.name, *vp.type, bytes, mem, types, cfg, addr);
      if (vp.raw_word && v.unreadable.empty()) {
        uint64_t w = 0;
        std::memcpy(&w, bytes.data(), std::min<size_t>(bytes.size(), 8));
        char hex[24];
        std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(w));
        v.value = hex;
      }
    }
    if (!vp.is_local) v.flags |= vp.is_result ? values::kVarReturnArgument : values::kVarArgument;
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace gotrace::tracer
