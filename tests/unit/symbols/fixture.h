// Shared helpers for the symbols tests: opening the prebuilt Go fixtures
// and building the few extra variants (PIE, uncompressed and .zdebug DWARF).
#pragma once

#include "gotrace/symbols/binary.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

namespace gotrace::symbols::testing {

inline std::string fixture_path(const std::string& name) { return std::string(GOTRACE_FIXTURE_DIR) + "/" + name; }

// Opened once per process: the binaries are read-only and Binary is
// thread-compatible, so tests can share them.
inline const Binary& fixture(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Binary>> cache;
  auto& slot = cache[name];
  if (!slot) {
    auto r = Binary::open(fixture_path(name));
    if (!r) {
      ADD_FAILURE() << "cannot open fixture " << name << ": " << r.error().message;
      std::abort();
    }
    slot = std::move(*r);
  }
  return *slot;
}

inline const std::string& types_main_go() {
  static const std::string path = std::string(GOTRACE_SOURCE_DIR) + "/tests/fixtures/go/types/main.go";
  return path;
}

// 1-based line of the first line of types/main.go containing `needle`, so
// tests survive edits to the fixture.
inline int types_line(const std::string& needle) {
  std::ifstream in(types_main_go());
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (line.find(needle) != std::string::npos) return n;
  ADD_FAILURE() << "no line containing " << needle << " in " << types_main_go();
  return -1;
}

inline int run(const std::string& cmd) { return std::system(cmd.c_str()); }

// Builds (once per process) a variant of the "types" fixture into a
// directory under the build tree. `kind`: "pie", "uncompressed", "zdebug",
// "stripped" (-s -w), "arm64".
inline std::string variant(const std::string& kind) {
  static std::map<std::string, std::string> built;
  if (auto it = built.find(kind); it != built.end()) return it->second;
  namespace fs = std::filesystem;
  fs::path build = fs::path(GOTRACE_FIXTURE_DIR).parent_path();
  fs::path dir = build / "symbols_test_variants";
  fs::create_directories(dir);
  std::string out = (dir / ("types-" + kind)).string();
  std::string go_env = "env GOCACHE=" + (build / "gocache").string() + " GOPATH=" + (build / "gopath").string() +
                       " GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0 ";
  std::string src = std::string(GOTRACE_SOURCE_DIR) + "/tests/fixtures/go";
  std::string cmd;
  if (kind == "pie") {
    cmd = "cd " + src + " && " + go_env + "go build -buildmode=pie -o " + out + " ./types";
  } else if (kind == "uncompressed") {
    cmd = "cd " + src + " && " + go_env + "go build -ldflags=-compressdwarf=false -o " + out + " ./types";
  } else if (kind == "stripped") {
    cmd = "cd " + src + " && " + go_env + "go build -ldflags='-s -w' -o " + out + " ./types";
  } else if (kind == "arm64") {
    cmd = "cd " + src + " && " + go_env + "GOARCH=arm64 go build -o " + out + " ./types";
  } else if (kind == "zdebug") {
    // Go <= 1.18 linkers wrote legacy GNU-compressed .zdebug_* sections.
    cmd = "objcopy --decompress-debug-sections " + fixture_path("types-O") + " " + out + ".tmp && " +
          "objcopy --compress-debug-sections=zlib-gnu " + out + ".tmp " + out + " && rm -f " + out + ".tmp";
  }
  int rc = run(cmd + " > " + out + ".log 2>&1");
  EXPECT_EQ(rc, 0) << cmd << " (see " << out << ".log)";
  built[kind] = out;
  return out;
}

}  // namespace gotrace::symbols::testing
