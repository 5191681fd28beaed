// Fuzz target: capture bytes as the kernel ring hands them over. The record
// parser, then the values of a few typed arguments read from its words and
// the memory it captured (strings, structs, slices, pointers, interfaces),
// rendered as `dlv trace` lines at every verbosity. Maps (Swiss and classic)
// are walked through whatever the capture holds.
#include "fake_target.h"
#include "record.h"

#include "gotrace/values/trace_format.h"
#include "gotrace/values/variable.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace {

using gotrace::symbols::Kind;
using gotrace::symbols::Type;
namespace values = gotrace::values;
namespace tracer = gotrace::tracer;

class NoTypes final : public values::TypeLookup {
 public:
  const Type* by_runtime_address(uint64_t) const override { return nullptr; }
};

struct Types {
  Type int_{Kind::int_, "int", 8, 8};
  Type u8{Kind::uint8, "uint8", 1, 1};
  Type pu8{Kind::pointer, "*uint8", 8, 8, &u8};
  Type str{Kind::string, "string", 16, 8};
  Type point{Kind::struct_, "main.Point", 24, 8};
  Type ppoint{Kind::pointer, "*main.Point", 8, 8, &point};
  Type ints{Kind::slice, "[]int", 24, 8};
  Type strs{Kind::slice, "[]string", 24, 8};
  Type pint{Kind::pointer, "*int", 8, 8, &int_};
  Type pstr{Kind::pointer, "*string", 8, 8, &str};
  Type uptr{Kind::uintptr, "uintptr", 8, 8};
  Type iface{Kind::interface, "error", 16, 8};
  Types() {
    str.fields = {{"str", 0, &pu8}, {"len", 8, &int_}};
    point.fields = {{"X", 0, &int_}, {"Name", 8, &str}};
    ints.elem = &int_;
    ints.fields = {{"array", 0, &pint}, {"len", 8, &int_}, {"cap", 16, &int_}};
    strs.elem = &str;
    strs.fields = {{"array", 0, &pstr}, {"len", 8, &int_}, {"cap", 16, &int_}};
    iface.fields = {{"tab", 0, &uptr}, {"data", 8, &uptr}};
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Types t;
  static const values::testing::Types fake;
  static const NoTypes lookup;
  auto rec = tracer::parse_record(std::span<const uint8_t>(data, size));
  if (!rec) return 0;
  tracer::CapturedMemory mem(*rec, nullptr);
  const Type* order[] = {&t.str,  &t.point, &t.ppoint,         &t.ints,
                         &t.strs, &t.iface, fake.swiss_map, fake.classic_map, &t.int_};
  std::vector<values::Variable> args;
  size_t word = 0;
  for (const Type* ty : order) {
    size_t words = (ty->size + 7) / 8;
    if (word + words > rec->words.size()) break;
    uint8_t bytes[32] = {};
    std::memcpy(bytes, &rec->words[word], words * 8);
    word += words;
    for (int depth : {0, 1}) {
      values::LoadConfig cfg{depth == 1, depth, 64, 64, -1};
      values::Variable v = values::load_variable("v", *ty, bytes, mem, lookup, cfg);
      v.flags |= values::kVarArgument;
      args.push_back(std::move(v));
    }
  }
  for (int verbosity = 0; verbosity <= 4; verbosity++) {
    values::TraceOptions o;
    o.verbosity = verbosity;
    (void)values::format_trace_entry(1, "main.f", args, o);
    (void)values::format_trace_return(1, "main.f", args, o);
  }
  return 0;
}
