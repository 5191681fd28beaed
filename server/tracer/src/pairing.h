// Pairs a return with its entry. The key is (goroutine, g.stack.hi - SP,
// function): the distance from the stack top survives the runtime copying a
// goroutine's stack, and recursion gives every frame its own depth. A frame
// abandoned by a panic leaves a stale entry that the next call at the same
// depth overwrites, so it can never pair with a later return.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace gotrace::tracer {

struct CallKey {
  uint64_t goid = 0;
  uint64_t depth = 0;
  uint32_t fn = 0;
  bool operator==(const CallKey&) const = default;
};

struct CallKeyHash {
  size_t operator()(const CallKey& k) const {
    uint64_t h = k.goid * 0x9e3779b97f4a7c15ull;
    h ^= k.depth + 0x632be59bd9b4e019ull + (h << 6) + (h >> 2);
    h ^= static_cast<uint64_t>(k.fn) * 0xff51afd7ed558ccdull;
    return static_cast<size_t>(h);
  }
};

// What a return learns from its entry.
struct OpenCall {
  uint64_t ts = 0;
  std::shared_ptr<const std::vector<uint8_t>> record;  // the entry's hit
  uint32_t first = 0, last = 0;                         // its values
};

class Pairing {
 public:
  void entered(const CallKey& k, OpenCall call) {
    // Frames abandoned by panics or Goexit never return; bound the table.
    if (open_.size() >= kMaxOpen) open_.clear();
    open_[k] = std::move(call);
  }
  // A function no longer traced: its open calls will never see their
  // returns, and its id may be given to it again (Engine::add).
  void forget(uint32_t fn) {
    std::erase_if(open_, [fn](const auto& kv) { return kv.first.fn == fn; });
  }
  // The call's entry, if it was seen.
  std::optional<OpenCall> returned(const CallKey& k) {
    auto it = open_.find(k);
    if (it == open_.end()) return std::nullopt;
    OpenCall c = std::move(it->second);
    open_.erase(it);
    return c;
  }

 private:
  static constexpr size_t kMaxOpen = 1u << 20;
  std::unordered_map<CallKey, OpenCall, CallKeyHash> open_;
};

}  // namespace gotrace::tracer
