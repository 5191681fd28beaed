// Where the tests find the Go fixtures of the toolchain under test. ctest
// runs each fixture test once per toolchain of the matrix
// (tests/go_toolchains.cmake) with GOTRACE_FIXTURES naming that
// toolchain's directory and GOTRACE_GO its go command; run by hand, a test
// uses the primary toolchain's.
#pragma once

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace gotrace::testing {

inline std::string fixture_dir() {
  const char* dir = std::getenv("GOTRACE_FIXTURES");
  return dir && *dir ? dir : GOTRACE_FIXTURE_DIR;
}

// The go command that built them, for tests that build variants of their own.
inline std::string go_command() {
  const char* go = std::getenv("GOTRACE_GO");
  return go && *go ? go : "go";
}

// `go env GOVERSION` of that go command ("go1.26.8"), read once.
inline const std::string& go_version() {
  static const std::string v = [] {
    std::string out;
    std::string cmd = "env GOTOOLCHAIN=local " + go_command() + " env GOVERSION";
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char buf[64];
      while (fgets(buf, sizeof buf, p)) out += buf;
      pclose(p);
    }
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }();
  return v;
}

// Its minor release (26 for go1.26.8), 0 if unknown.
inline int go_minor() {
  const std::string& v = go_version();
  return v.rfind("go1.", 0) == 0 ? std::atoi(v.c_str() + 4) : 0;
}

// `text` written for Go 1.19 output, as the release under test writes it:
// Go 1.19 numbers each generic shape type (main.Max[go.shape.int_0],
// Pair[go.shape.string_0,go.shape.int_1]); 1.26 and 1.27 do not
// (main.Max[go.shape.int]).
inline std::string shaped(std::string text) {
  if (go_minor() <= 19) return text;
  const std::string shape = "go.shape.";
  for (size_t at = text.find(shape); at != std::string::npos; at = text.find(shape, at + 1)) {
    size_t end = at + shape.size();
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '.'))
      ++end;
    size_t digits = end + 1;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    if (end < text.size() && text[end] == '_' && digits > end + 1) text.erase(end, digits - end);
  }
  return text;
}

}  // namespace gotrace::testing
