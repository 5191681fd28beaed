// Shared helpers for the symbols tests: opening the prebuilt Go fixtures
// and building the few extra variants (PIE, uncompressed and .zdebug DWARF).
#pragma once

#include "fixture_dir.h"
#include "gotrace/symbols/binary.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include <unistd.h>

namespace gotrace::symbols::testing {

inline std::string fixture_path(const std::string& name) { return gotrace::testing::fixture_dir() + "/" + name; }

// Opened once per process: the binaries are read-only and Binary is
// thread-compatible, so tests can share them.
inline const Binary& open_cached(const std::string& path) {
  static std::map<std::string, std::unique_ptr<Binary>> cache;
  auto& slot = cache[path];
  if (!slot) {
    auto r = Binary::open(path);
    if (!r) {
      ADD_FAILURE() << "cannot open " << path << ": " << r.error().message;
      std::abort();
    }
    slot = std::move(*r);
  }
  return *slot;
}

inline const Binary& fixture(const std::string& name) { return open_cached(fixture_path(name)); }

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

// Builds (once per process) a variant of fixture `prog` into a directory
// under the build tree. `kind`: "pie", "uncompressed", "zdebug", "arm64",
// "arm64-stripped" (-s -w).
inline std::string variant(const std::string& kind, const std::string& prog = "types") {
  static std::map<std::string, std::string> built;
  std::string key = prog + "-" + kind;
  if (auto it = built.find(key); it != built.end()) return it->second;
  namespace fs = std::filesystem;
  // Per toolchain (its fixture directory); the go build cache is shared.
  fs::path dir = fs::path(gotrace::testing::fixture_dir()) / "symbols_test_variants";
  fs::path build = fs::path(gotrace::testing::fixture_dir()).parent_path().parent_path();
  fs::create_directories(dir);
  // ctest runs tests as parallel processes that may build the same
  // variant: each builds its own file and renames it into place.
  const std::string final_path = (dir / key).string();
  std::string out = final_path + ".tmp" + std::to_string(::getpid());
  std::string go_env = "env GOCACHE=" + (build / "gocache").string() + " GOPATH=" + (build / "gopath").string() +
                       " GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0 ";
  std::string src = std::string(GOTRACE_SOURCE_DIR) + "/tests/fixtures/go";
  std::string cmd;
  std::string go = "cd " + src + " && " + go_env;
  const std::string go_cmd = gotrace::testing::go_command();
  std::string pkg = " -o " + out + " ./" + prog;
  if (kind == "pie") {
    cmd = go + go_cmd + " build -buildmode=pie" + pkg;
  } else if (kind == "uncompressed") {
    cmd = go + go_cmd + " build -ldflags=-compressdwarf=false" + pkg;
  } else if (kind == "arm64") {
    cmd = go + "GOARCH=arm64 " + go_cmd + " build" + pkg;
  } else if (kind == "arm64-stripped") {
    cmd = go + "GOARCH=arm64 " + go_cmd + " build -ldflags='-s -w'" + pkg;
  } else if (kind == "zdebug") {
    // Go <= 1.18 linkers wrote legacy GNU-compressed .zdebug_* sections.
    cmd = "objcopy --decompress-debug-sections " + fixture_path(prog + "-O") + " " + out + ".tmp && " +
          "objcopy --compress-debug-sections=zlib-gnu " + out + ".tmp " + out + " && rm -f " + out + ".tmp";
  }
  int rc = run(cmd + " > " + final_path + ".log 2>&1");
  EXPECT_EQ(rc, 0) << cmd << " (see " << final_path << ".log)";
  std::error_code ec;
  fs::rename(out, final_path, ec);
  EXPECT_FALSE(ec) << "rename " << out << ": " << ec.message();
  built[key] = final_path;
  return final_path;
}

}  // namespace gotrace::symbols::testing
