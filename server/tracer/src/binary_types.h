// Type and function lookups for runtime addresses seen in captured values,
// shifted by the load bias of a PIE binary.
#pragma once

#include "gotrace/symbols/binary.h"
#include "gotrace/values/variable.h"

namespace gotrace::tracer {

class BinaryTypes final : public values::TypeLookup {
 public:
  explicit BinaryTypes(const symbols::Binary& b) : b_(b) {}
  const symbols::Type* by_runtime_address(uint64_t addr) const override {
    return addr >= bias_ ? b_.type_by_runtime_address(addr - bias_) : nullptr;
  }
  std::string function_name(uint64_t pc) const override {
    const symbols::Function* f = pc >= bias_ ? b_.function_at(pc - bias_) : nullptr;
    return f && f->entry + bias_ == pc ? f->name : std::string();
  }
  void set_bias(uint64_t bias) { bias_ = bias; }
  uint64_t bias() const { return bias_; }

 private:
  const symbols::Binary& b_;
  uint64_t bias_ = 0;
};

}  // namespace gotrace::tracer
