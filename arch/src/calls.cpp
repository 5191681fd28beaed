#include "gotrace/arch/calls.h"

#include "gotrace/arch/amd64/calls.h"
#include "gotrace/arch/arm64/calls.h"

namespace gotrace::arch {

Result<std::vector<uint64_t>> direct_call_targets(Machine m, std::span<const uint8_t> code,
                                                  uint64_t entry) {
  switch (m) {
    case Machine::amd64: return amd64::direct_call_targets(code, entry);
    case Machine::arm64: return arm64::direct_call_targets(code, entry);
  }
  return make_error(Errc::invalid_argument, "unknown machine");
}

}  // namespace gotrace::arch
