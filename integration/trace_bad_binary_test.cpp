// Damaged and unusual binaries (issue 6): a clear message for the binary or
// the function, never a crash, never a probe at a wrong address.
#include "harness.h"

#include <elf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace gotrace::itest {
namespace {

std::vector<char> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Writes `bytes` as an executable in /tmp and removes it afterwards.
struct TempBinary {
  std::string path;
  explicit TempBinary(const std::string& name, const std::vector<char>& bytes)
      : path("/tmp/gotrace-itest-" + name + "-" + std::to_string(getpid())) {
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    chmod(path.c_str(), 0755);
  }
  ~TempBinary() { unlink(path.c_str()); }
};

// The file offset of section `name` of an ELF64 image.
size_t section_offset(const std::vector<char>& elf, const std::string& name) {
  Elf64_Ehdr eh;
  std::memcpy(&eh, elf.data(), sizeof eh);
  Elf64_Shdr strtab;
  std::memcpy(&strtab, elf.data() + eh.e_shoff + eh.e_shstrndx * eh.e_shentsize, sizeof strtab);
  for (size_t i = 0; i < eh.e_shnum; i++) {
    Elf64_Shdr sh;
    std::memcpy(&sh, elf.data() + eh.e_shoff + i * eh.e_shentsize, sizeof sh);
    if (name == elf.data() + strtab.sh_offset + sh.sh_name) return sh.sh_offset;
  }
  ADD_FAILURE() << "no section " << name;
  return 0;
}

TEST(TraceBadBinary, Truncated) {
  std::vector<char> bytes = read_all(fixture("demo-O"));
  bytes.resize(bytes.size() / 2);
  TempBinary bin("truncated", bytes);
  RunResult r = run({gotrace(), "trace", "--exec", bin.path, R"(main\.square$)"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: PT_LOAD segment outside the file: " + bin.path + "\n");
}

// A stripped binary has nothing but .gopclntab to find its functions: a
// damaged table is refused, not read into wrong addresses.
TEST(TraceBadBinary, CorruptedPcLineTable) {
  std::vector<char> bytes = read_all(fixture("demo-stripped"));
  std::memset(bytes.data() + section_offset(bytes, ".gopclntab"), 0, 4);
  TempBinary bin("badpclntab", bytes);
  for (const char* cmd : {"trace", "funcs"}) {
    RunResult r = std::string(cmd) == "trace"
                      ? run({gotrace(), "trace", "--exec", bin.path, R"(main\.square$)"})
                      : run({gotrace(), "funcs", bin.path});
    EXPECT_EQ(r.exit_code, 1) << cmd;
    EXPECT_EQ(r.err, "Error: corrupt Go pc-line table (.gopclntab) in " + bin.path + ": bad magic 0\n")
        << cmd;
  }
}

// A Go release newer than the runtime.g table: said once, traced with the
// nearest known layout (here the right one: every release of the matrix
// has the newest layout's goid offset).
TEST(TraceBadBinary, GoVersionOutsideTheRuntimeTable) {
  require_root();
  std::vector<char> bytes = read_all(fixture("demo-stripped"));
  size_t info = section_offset(bytes, ".go.buildinfo");
  std::string head(bytes.data() + info, 64);
  size_t at = head.find("go1.");
  ASSERT_NE(at, std::string::npos);
  std::memcpy(bytes.data() + info + at, "go1.99", 6);
  TempBinary bin("go199", bytes);
  RunResult r = run({gotrace(), "trace", "--exec", bin.path, R"(main\.square$)"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Go 1.18+ stores the version length-prefixed (one varint byte here).
  std::string version = "go1.99" + head.substr(at + 6, static_cast<uint8_t>(head[at - 1]) - 6);
  EXPECT_EQ(normalize(r.err),
            "gotrace: Go " + version +
                " is newer than gotrace's runtime table (go1.17 to go1.27); goroutine ids may be wrong\n"
                "gotrace: " + bin.path +
                " has no debug information (stripped): values are raw words, as many as the argument "
                "frame holds, read from the argument registers and stack slots at the entry and from "
                "the same ones at each return\n"
                "> goroutine(1): main.square(0x1)\n>> goroutine(1): main.square => (0x1)\n"
                "> goroutine(1): main.square(0x2)\n>> goroutine(1): main.square => (0x4)\n"
                "> goroutine(1): main.square(0x3)\n>> goroutine(1): main.square => (0x9)\n"
                "Process PID has exited with status 0\n");
}

// A function without a RET is traced as Delve traces it: its entry, and
// never a return. runtime.goexit is only ever returned into, not called;
// main.fail only panics.
TEST(TraceBadBinary, FunctionWithoutReturn) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--exec", fixture("demo-O"), R"(runtime\.goexit$|main\.square$)"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(normalize(r.err),
            "> goroutine(1): main.square(1)\n>> goroutine(1): main.square => (1)\n"
            "> goroutine(1): main.square(2)\n>> goroutine(1): main.square => (4)\n"
            "> goroutine(1): main.square(3)\n>> goroutine(1): main.square => (9)\n"
            "Process PID has exited with status 0\n");
  for (const char* build : {"panics-N", "panics-O"}) {
    r = run({gotrace(), "trace", "--exec", fixture(build), R"(main\.fail$)", "--", "fail"});
    EXPECT_EQ(r.exit_code, 0) << build;
    EXPECT_EQ(r.out, "recovered boom 7\n") << build;
    EXPECT_EQ(normalize(r.err), "> goroutine(1): main.fail(7)\nProcess PID has exited with status 0\n") << build;
  }
}

}  // namespace
}  // namespace gotrace::itest
