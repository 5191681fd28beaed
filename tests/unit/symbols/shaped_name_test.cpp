// Which functions take a generic dictionary, from their names, and where it
// goes among the arguments per release.
#include "shaped_name.h"

#include "gotrace/symbols/binary.h"

#include <gtest/gtest.h>

namespace gotrace::symbols::detail {
namespace {

std::pair<bool, bool> shaped(std::string_view fn) {
  ShapedName s = classify_shaped(fn);
  return {s.shaped, s.method};
}

TEST(ShapedName, FunctionsAndMethodsOfGenericTypes) {
  EXPECT_EQ(shaped("main.Max[go.shape.int]"), std::pair(true, false));
  EXPECT_EQ(shaped("main.Max[go.shape.int_0]"), std::pair(true, false));
  EXPECT_EQ(shaped("main.(*Stack[go.shape.string]).Push"), std::pair(true, true));
  EXPECT_EQ(shaped("main.Pair[go.shape.string,go.shape.int].Key"), std::pair(true, true));
  // Package paths with dots and slashes; shape arguments with their own.
  EXPECT_EQ(shaped("github.com/a/b.(*T[go.shape.struct { internal/sync.isEntry bool }]).Load"),
            std::pair(true, true));
  EXPECT_EQ(shaped("internal/sync.(*HashTrieMap[go.shape.interface {},go.shape.interface {}]).Load"),
            std::pair(true, true));
}

TEST(ShapedName, ClosuresWrappersAndTypeFunctionsTakeNone) {
  for (const char* fn : {"main.Apply[go.shape.string].func1", "main.Apply[go.shape.string].func1.2",
                         "main.(*Stack[go.shape.string]).Push.func1", "main.F[go.shape.int].gowrap1",
                         "main.F[go.shape.int].deferwrap2", "main.F[go.shape.int]-range1",
                         "main.Pair[go.shape.string,go.shape.int].Key-fm",
                         "type:.eq.sync/atomic.Pointer[go.shape.struct { internal/sync.isEntry bool }]",
                         "main.Max", "main.(*Stack).Push", "main.main.func1"})
    EXPECT_EQ(shaped(fn), std::pair(false, false)) << fn;
}

Signature sig(bool method, int dwarf_index, size_t params) {
  Signature s;
  s.has_dictionary = true;
  s.generic_method = method;
  s.dictionary_index = dwarf_index;
  s.params.resize(params);
  return s;
}

// Go 1.19 passes the dictionary first; from 1.20 a method's receiver comes
// first (noder.shapeSig); DWARF's ".dict", where listed, decides.
TEST(ShapedName, DictionaryPosition) {
  EXPECT_EQ(dictionary_position(sig(true, -1, 2), "go1.19.8"), 0u);
  EXPECT_EQ(dictionary_position(sig(true, -1, 2), "go1.20"), 1u);
  EXPECT_EQ(dictionary_position(sig(true, -1, 2), "go1.26.8"), 1u);
  EXPECT_EQ(dictionary_position(sig(true, -1, 2), ""), 1u);
  EXPECT_EQ(dictionary_position(sig(false, -1, 2), "go1.26.8"), 0u);
  EXPECT_EQ(dictionary_position(sig(true, 0, 2), "go1.26.8"), 0u);
  EXPECT_EQ(dictionary_position(sig(false, 1, 2), "go1.19.8"), 1u);
}

}  // namespace
}  // namespace gotrace::symbols::detail
