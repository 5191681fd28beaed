// The consumer side of the BPF ring buffer holding trace records, mapped
// once. libbpf's ring_buffer maps the data area twice, back to back, so a
// record that wraps past the end reads as contiguous memory; both mappings
// are resident, which made the 4 MiB ring cost 8 MiB of the tracer's RSS.
// Here a wrapped record is copied together instead (records are at most a
// few KiB; wrapping is rare).
#pragma once

#include "gotrace/support/result.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace gotrace::bpf {

class EventRing {
 public:
  // `map_fd` is a BPF_MAP_TYPE_RINGBUF of `size` data bytes (a power of two).
  static Result<EventRing> open(int map_fd, uint32_t size);
  EventRing(EventRing&& o) noexcept;
  EventRing& operator=(EventRing&& o) noexcept;
  EventRing(const EventRing&) = delete;
  EventRing& operator=(const EventRing&) = delete;
  ~EventRing();

  // Readable (poll) when the producer has woken the consumer.
  int fd() const { return fd_; }
  // Hands every committed record to `fn`, in order; returns how many.
  size_t consume(const std::function<void(std::span<const uint8_t>)>& fn);

 private:
  EventRing() = default;
  void unmap();

  int fd_ = -1;
  uint64_t mask_ = 0;
  size_t page_ = 0;
  void* consumer_ = nullptr;  // one page: consumer_pos (ours to write)
  void* producer_ = nullptr;  // one page of producer_pos, then the data
  size_t producer_len_ = 0;
  const uint8_t* data_ = nullptr;  // producer_ + page_
  std::vector<uint8_t> wrapped_;  // a record that wraps, made contiguous
};

}  // namespace gotrace::bpf
