// A function traced again after its removal, with the same options, takes
// back its id and spec ids: a client that sets and clears the same
// breakpoint over and over (an editor toggling it; leak_rpc_test does it
// 10,000 times) never uses up the session's probe sites.
#include "fixture_dir.h"
#include "gotrace/tracer/engine.h"

#include <gtest/gtest.h>

#include <string>

namespace gotrace::tracer {
namespace {

std::string fixture(const std::string& name) { return gotrace::testing::fixture_dir() + "/" + name; }

TEST(Retrace, SameFunctionTracedAgainReusesItsSlot) {
  auto e = Engine::open(fixture("ticker-N"));
  ASSERT_TRUE(e) << e.error().message;
  auto fns = (*e)->match(R"(main\.tick$)");
  ASSERT_TRUE(fns);
  ASSERT_EQ(fns->size(), 1u);
  const symbols::Function& tick = *fns->front();
  const TracedFunction* first = nullptr;
  // Entry and return: 2 sites each time, 10,000 in all, past kMaxSpecs.
  for (int i = 0; i < 5000; i++) {
    auto tf = (*e)->add(tick, TraceOptions{});
    ASSERT_TRUE(tf) << "cycle " << i << ": " << tf.error().message;
    if (!first) first = *tf;
    ASSERT_EQ(*tf, first) << "cycle " << i;
    ASSERT_TRUE((*e)->remove(*tf));
  }
  EXPECT_TRUE((*e)->traced().empty());
  // Other options are another plan: a new slot, and the old one stays free.
  TraceOptions entries_only;
  entries_only.returns = false;
  auto other = (*e)->add(tick, entries_only);
  ASSERT_TRUE(other);
  EXPECT_NE(*other, first);
  auto again = (*e)->add(tick, TraceOptions{});
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, first);
  EXPECT_EQ((*e)->traced().size(), 2u);
}

}  // namespace
}  // namespace gotrace::tracer
