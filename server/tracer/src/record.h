// Parsing of one ring-buffer record (layout in trace_abi.h) and the sparse
// memory view its dereferenced blobs form.
#pragma once

#include "gotrace/bpf/trace_abi.h"
#include "gotrace/symbols/binary.h"
#include "gotrace/support/result.h"
#include "gotrace/values/variable.h"

#include <boost/container/small_vector.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace gotrace::tracer {

struct Blob {
  uint64_t addr = 0;
  uint32_t status = GT_DEREF_OK;
  std::span<const uint8_t> bytes;
};

// Parsed at every hit: the usual record (a few words, a few blobs, no
// frames) fits inline, so parsing one allocates nothing.
struct Record {
  gt_event_header hdr{};
  boost::container::small_vector<uint64_t, 16> words;
  std::vector<uint64_t> frames;  // return addresses, innermost first
  boost::container::small_vector<Blob, 4> blobs;  // spans point into the record's buffer
};

// Fails with Errc::corrupt on a truncated or inconsistent record.
Result<Record> parse_record(std::span<const uint8_t> raw);

// Memory as captured at the hit, falling back to the binary's read-only data
// (type descriptors, itabs, string literals) for addresses it maps.
class CapturedMemory final : public values::MemoryView {
 public:
  // `bias`: runtime minus link-time addresses (PIE); static data is read at
  // addr - bias.
  CapturedMemory(const Record& rec, const symbols::Binary* binary, uint64_t bias = 0)
      : rec_(rec), binary_(binary), bias_(bias) {}
  std::optional<std::span<const uint8_t>> read(uint64_t addr, uint64_t size) const override;

 private:
  const Record& rec_;
  const symbols::Binary* binary_;
  uint64_t bias_;
};

}  // namespace gotrace::tracer
