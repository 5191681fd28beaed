// The lines fixture (tests/fixtures/go/lines) marks the lines tests probe
// with `// LINE:name` comments, so tests survive edits to the program.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace gotrace::testing {

inline int lines_marker(const std::string& marker) {
  std::ifstream in(std::string(GOTRACE_SOURCE_DIR) + "/tests/fixtures/go/lines/main.go");
  std::string text;
  for (int n = 1; std::getline(in, text); ++n)
    if (text.find("// LINE:" + marker) != std::string::npos) return n;
  ADD_FAILURE() << "no LINE:" << marker << " in the lines fixture";
  return -1;
}

}  // namespace gotrace::testing
