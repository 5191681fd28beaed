// `gotrace trace --summary`: per function, how many calls and how long they
// took, printed when tracing ends.
#pragma once

#include "gotrace/tracer/event.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gotrace::cli {

class CallSummary {
 public:
  void add(const tracer::TraceEvent& ev);
  // A table sorted by function name:
  //   function  calls  returns  p50  p90  p99  max
  // durations as Go prints time.Duration (1.5µs, 20ms), "-" without any.
  std::string render() const;

 private:
  struct Calls {
    uint64_t entries = 0;
    uint64_t returns = 0;
    std::vector<uint64_t> durations_ns;
  };
  std::map<std::string, Calls> by_function_;
};

}  // namespace gotrace::cli
