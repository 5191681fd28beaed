#include "event_ring.h"

#include <linux/bpf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace gotrace::bpf {
namespace {

uint64_t load_acquire(const void* p) { return __atomic_load_n(static_cast<const uint64_t*>(p), __ATOMIC_ACQUIRE); }
uint32_t load_acquire32(const void* p) { return __atomic_load_n(static_cast<const uint32_t*>(p), __ATOMIC_ACQUIRE); }

}  // namespace

Result<EventRing> EventRing::open(int map_fd, uint32_t size) {
  if (size == 0 || (size & (size - 1)) != 0)
    return make_error(Errc::invalid_argument, "ring buffer size " + std::to_string(size) + " is not a power of two");
  EventRing r;
  r.fd_ = map_fd;
  r.mask_ = size - 1;
  r.page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t page = r.page_;
  r.consumer_ = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
  if (r.consumer_ == MAP_FAILED) {
    r.consumer_ = nullptr;
    return make_error(Errc::io, std::string("ring buffer: ") + std::strerror(errno));
  }
  // The kernel lets the data be mapped once (the double mapping is only
  // what libbpf asks for).
  r.producer_len_ = page + size;
  r.producer_ = mmap(nullptr, r.producer_len_, PROT_READ, MAP_SHARED, map_fd, static_cast<off_t>(page));
  if (r.producer_ == MAP_FAILED) {
    r.producer_ = nullptr;
    return make_error(Errc::io, std::string("ring buffer: ") + std::strerror(errno));
  }
  r.data_ = static_cast<const uint8_t*>(r.producer_) + page;
  return r;
}

EventRing::EventRing(EventRing&& o) noexcept { *this = std::move(o); }

EventRing& EventRing::operator=(EventRing&& o) noexcept {
  if (this != &o) {
    unmap();
    fd_ = std::exchange(o.fd_, -1);
    mask_ = o.mask_;
    page_ = o.page_;
    data_ = std::exchange(o.data_, nullptr);
    consumer_ = std::exchange(o.consumer_, nullptr);
    producer_ = std::exchange(o.producer_, nullptr);
    producer_len_ = std::exchange(o.producer_len_, 0);
    wrapped_ = std::move(o.wrapped_);
  }
  return *this;
}

EventRing::~EventRing() { unmap(); }

void EventRing::unmap() {
  if (consumer_) munmap(consumer_, page_);
  if (producer_) munmap(producer_, producer_len_);
  consumer_ = producer_ = nullptr;
  data_ = nullptr;
}

size_t EventRing::consume(const std::function<void(std::span<const uint8_t>)>& fn) {
  const uint8_t* data = data_;
  const uint64_t size = mask_ + 1;
  uint64_t cons = load_acquire(consumer_);
  size_t n = 0;
  for (;;) {
    uint64_t prod = load_acquire(producer_);
    if (cons >= prod) break;
    while (cons < prod) {
      // Headers are 8 bytes at 8-byte aligned positions: never split.
      const uint8_t* hdr = data + (cons & mask_);
      uint32_t len = load_acquire32(hdr);
      if (len & BPF_RINGBUF_BUSY_BIT) {
        __atomic_store_n(static_cast<uint64_t*>(consumer_), cons, __ATOMIC_RELEASE);
        return n;  // reserved, not yet submitted: the rest waits
      }
      uint32_t payload = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
      uint64_t start = (cons + BPF_RINGBUF_HDR_SZ) & mask_;
      cons += (BPF_RINGBUF_HDR_SZ + payload + 7) & ~uint64_t{7};
      if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
        if (start + payload <= size) {
          fn(std::span<const uint8_t>(data + start, payload));
        } else {
          uint64_t first = size - start;
          wrapped_.resize(payload);
          std::memcpy(wrapped_.data(), data + start, first);
          std::memcpy(wrapped_.data() + first, data, payload - first);
          fn(std::span<const uint8_t>(wrapped_.data(), payload));
        }
        n++;
      }
      // Hand the space back as we go, so the producer never waits for a
      // whole batch.
      __atomic_store_n(static_cast<uint64_t*>(consumer_), cons, __ATOMIC_RELEASE);
    }
  }
  return n;
}

}  // namespace gotrace::bpf
