#include "record.h"

#include <cstring>

namespace gotrace::tracer {

Result<Record> parse_record(std::span<const uint8_t> raw) {
  Record r;
  auto corrupt = [&](const char* what) {
    return make_error(Errc::corrupt, std::string("malformed trace record: ") + what);
  };
  if (raw.size() < sizeof r.hdr) return corrupt("shorter than its header");
  std::memcpy(&r.hdr, raw.data(), sizeof r.hdr);
  size_t pos = sizeof r.hdr;
  if (r.hdr.n_words > GT_MAX_WORDS || r.hdr.n_derefs > GT_MAX_DEREF_RECORDS)
    return corrupt("too many words or derefs");
  if (raw.size() < pos + r.hdr.n_words * 8ull) return corrupt("truncated words");
  r.words.resize(r.hdr.n_words);
  // memcpy wants valid pointers even for 0 bytes (an empty vector has none).
  if (r.hdr.n_words) std::memcpy(r.words.data(), raw.data() + pos, r.hdr.n_words * 8ull);
  pos += r.hdr.n_words * 8ull;
  if (r.hdr.n_frames > GT_MAX_FRAMES || raw.size() < pos + r.hdr.n_frames * 8ull)
    return corrupt("truncated frames");
  r.frames.resize(r.hdr.n_frames);
  if (r.hdr.n_frames) std::memcpy(r.frames.data(), raw.data() + pos, r.hdr.n_frames * 8ull);
  pos += r.hdr.n_frames * 8ull;
  for (unsigned i = 0; i < r.hdr.n_derefs; i++) {
    gt_deref_header dh;
    if (raw.size() < pos + sizeof dh) return corrupt("truncated deref header");
    std::memcpy(&dh, raw.data() + pos, sizeof dh);
    pos += sizeof dh;
    if (dh.len > GT_MAX_DEREF_BYTES || raw.size() < pos + dh.len) return corrupt("truncated deref");
    r.blobs.push_back({dh.addr, dh.status, raw.subspan(pos, dh.len)});
    pos += (dh.len + 7ull) & ~7ull;
  }
  return r;
}

std::optional<std::span<const uint8_t>> CapturedMemory::read(uint64_t addr,
                                                             uint64_t size) const {
  for (const Blob& b : rec_.blobs) {
    if (b.status != GT_DEREF_OK || addr < b.addr) continue;
    uint64_t off = addr - b.addr;
    if (off <= b.bytes.size() && size <= b.bytes.size() - off) return b.bytes.subspan(off, size);
  }
  if (binary_ && addr >= bias_) return binary_->static_data(addr - bias_, size);
  return std::nullopt;
}

}  // namespace gotrace::tracer
