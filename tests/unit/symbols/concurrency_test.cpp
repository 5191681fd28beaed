// Binary is thread-compatible: const methods fill lazy DWARF caches under
// a mutex, so concurrent first use must be safe and give stable pointers.
#include "fixture.h"

#include <thread>

namespace gotrace::symbols {
namespace {

TEST(Concurrency, ConcurrentFirstUse) {
  auto r = Binary::open(testing::fixture_path("types-O"));
  ASSERT_TRUE(r);
  const Binary& b = **r;
  const char* names[] = {"main.strs", "main.structs", "main.maps", "main.ifaces"};
  std::vector<const Type*> first_param(4);
  std::vector<uint64_t> goid(4);
  std::vector<const Type*> g(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < 20; ++round) {
        const Function* f = b.find_function(names[(i + round) % 4]);
        auto s = b.signature(*f);
        if (!s || s->params.empty()) return;
        if (round % 4 == 0) first_param[i] = s->params[0].type;
        b.pc_to_line(f->entry);
        auto off = b.g_goid_offset();
        goid[i] = off ? *off : 0;
        g[i] = b.type_by_name("runtime.g");
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(goid[i], 152u);
    EXPECT_EQ(g[i], g[0]);
    ASSERT_NE(first_param[i], nullptr);
  }
  EXPECT_EQ(first_param[0]->name, "string");
  EXPECT_EQ(first_param[1]->name, "main.Point");
  EXPECT_EQ(b.signature(*b.find_function("main.structs"))->params[0].type, first_param[1]);
}

}  // namespace
}  // namespace gotrace::symbols
