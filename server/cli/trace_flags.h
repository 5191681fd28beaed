// gotrace trace's command line: dlv trace's flags plus gotrace's own.
#pragma once

#include "gotrace/support/result.h"
#include "gotrace/tracer/engine.h"

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gotrace::cli {

struct TraceFlags {
  std::string regex;
  std::string exec;
  pid_t pid = 0;
  std::string package;
  std::string output;
  int stack = 0;
  int verbosity = 0;
  bool timestamp = false;
  bool durations = false;     // --durations: each return line ends with " [1.5µs]"
  // --raw-words: a function written in assembly (no parameter types) shows
  // the words of its argument frame; Delve shows none, so by default neither
  // (a stripped binary's functions always show them).
  bool raw_words = false;
  bool returns = true;
  uint32_t ring_bytes = tracer::Engine::kDefaultRingBytes;
  int max_string_len = -1;  // -1: as the verbosity level says
  tracer::BackendKind backend = tracer::BackendKind::automatic;
  int follow_calls = 0;       // --follow-calls N: also what the matches call, N deep
  std::string cond;           // --cond EXPR: only calls whose arguments satisfy it
  bool json = false;          // --format=json: JSON Lines
  bool summary = false;       // --summary: per-function counts and latencies at exit
  bool stats = false;         // --stats: gotrace's own costs at exit
  uint64_t max_events = 0;    // --max-events N / --exit-on-first (1): 0 = no limit
  std::vector<std::string> program_args;
};

// Parses the arguments after `gotrace trace`; fails naming the bad flag or
// value.
Result<TraceFlags> parse_trace_flags(const std::vector<std::string>& args);

}  // namespace gotrace::cli
