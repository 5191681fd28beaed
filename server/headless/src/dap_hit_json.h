// The body of the `output` event a tracepoint hit becomes, written straight
// to JSON text: this runs for every hit a DAP client receives, and building
// a boost::json tree for it first cost more than everything else the server
// does per hit. The keys and their order are those the tree had.
#pragma once

#include "gotrace/tracer/engine.h"
#include "gotrace/values/variable.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gotrace::headless {

struct HitOutput {
  std::string_view text;  // the line(s) the console shows
  std::string_view file;  // source.path; source.name is its last element
  int64_t line = 0;
  uint64_t goroutine = 0;
  std::string_view function;
  std::string_view kind;  // "entry", "return" or "line"
  uint64_t wall_ns = 0;
  const std::vector<values::Variable>* values = nullptr;  // arguments or returnValues
  const std::vector<values::Variable>* locals = nullptr;  // at a line only
  std::optional<uint64_t> duration_ns;
  const std::vector<tracer::Frame>* stack = nullptr;  // empty or null: none
  bool with_data = false;  // the launch's "traceData"
};

// {"category":"stdout","output":...,"source":{"path":...},"line":...} as
// Delve's logpoints, then "data":{...} with `with_data`.
std::string hit_output_body(const HitOutput& h);

}  // namespace gotrace::headless
