// Real programs (issue 17), not fixtures: open-source Go programs of
// different kinds built from the module proxy by the toolchain under test
// (scripts/build-real-programs.sh, cached outside the repository), as
// `go build` makes them and stripped as release binaries are. Each is
// listed by `gotrace funcs`, and traced at main.main and one function it
// calls over and over, with the program's own output intact.
#include "harness.h"

#include <gtest/gtest.h>
#include <re2/re2.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace gotrace::itest {
namespace {

struct Program {
  const char* name;
  const char* hot;  // a function the test makes it call many times
};

const Program kJaeger{"jaeger", "github.com/jaegertracing/jaeger/cmd/query/app.(*APIHandler).getServices"};
const Program kEsbuild{"esbuild", "github.com/evanw/esbuild/internal/js_lexer.(*Lexer).Next"};
const Program kAge{"age", "filippo.io/age/internal/stream.(*EncryptWriter).flushChunk"};
const Program kGops{"gops", "github.com/google/gops/goprocess.FindAll"};
const Program kPcapdump{"pcapdump", "github.com/google/gopacket/layers.(*Ethernet).DecodeFromBytes"};
const Program kPrograms[] = {kJaeger, kEsbuild, kAge, kGops, kPcapdump};

// The function's name as a regular expression matching it alone.
std::string exactly(const std::string& name) { return "^" + RE2::QuoteMeta(name) + "$"; }

class RealPrograms : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { require_root(); }
  bool stripped() const { return GetParam(); }
  // The build of the toolchain under test (GOTRACE_REAL_PROGRAMS is its
  // directory in the cache).
  std::string binary(const Program& p) const {
    const char* dir = std::getenv("GOTRACE_REAL_PROGRAMS");
    return std::string(dir ? dir : "") + "/" + p.name + (stripped() ? "-stripped" : "");
  }
  // The notice a stripped binary's trace starts with.
  std::string notice(const Program& p) const {
    if (!stripped()) return "";
    return "gotrace: " + binary(p) +
           " has no debug information (stripped): values are raw words, as many as the argument frame holds, "
           "read from the argument registers and stack slots at the entry and from the same ones at each return\n";
  }
  RunResult trace(const Program& p, const std::vector<std::string>& args, int timeout_s = 120) const {
    std::vector<std::string> argv = {gotrace(), "trace", "--exec", binary(p),
                                     exactly("main.main") + "|" + exactly(p.hot), "--"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, timeout_s);
  }
  std::string temp_file(const std::string& name, const std::string& bytes) const {
    std::string path = testing::TempDir() + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
};

// Every program's functions, its main.main and the hot one among them, from
// DWARF or, stripped, from the pc-line table alone.
TEST_P(RealPrograms, FuncsListsThem) {
  for (const Program& p : kPrograms) {
    SCOPED_TRACE(binary(p));
    RunResult all = run({gotrace(), "funcs", binary(p)});
    ASSERT_EQ(all.exit_code, 0) << all.err;
    EXPECT_EQ(all.err, "");
    std::vector<std::string> names = lines(all.out);
    EXPECT_GT(names.size(), 3000u);
    EXPECT_EQ(std::count(names.begin(), names.end(), "main.main"), 1);
    EXPECT_EQ(std::count(names.begin(), names.end(), p.hot), 1);
    RunResult one = run({gotrace(), "funcs", binary(p), exactly(p.hot)});
    EXPECT_EQ(one.out, std::string(p.hot) + "\n");
  }
}

// A bundler: main.main (which ends in os.Exit, so never returns) and the
// JavaScript lexer's Next, on goroutines of its own, every call paired.
TEST_P(RealPrograms, EsbuildLexes) {
  std::string in = temp_file("in.js", "let x = 1 + 2; console.log(x)\n");
  RunResult r = trace(kEsbuild, {in});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "let x = 1 + 2;\nconsole.log(x);\n");
  std::string err = normalize(r.err);
  std::string head = notice(kEsbuild) + "> goroutine(1): main.main()\n";
  ASSERT_EQ(err.substr(0, head.size()), head) << err;
  std::vector<std::string> rest = lines(err.substr(head.size()));
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(rest.back(), "Process PID has exited with status 0");
  rest.pop_back();
  const std::string next = RE2::QuoteMeta(kEsbuild.hot);
  const RE2 entry(R"(> goroutine\((\d+)\): )" + next +
                  (stripped() ? R"(\(0xADDR\))" : R"(\(\("\*github\.com/evanw/esbuild/internal/js_lexer\.Lexer"\)\(0xADDR\)\))"));
  // Stripped, the return shows the entry's one word again (the register
  // as the function left it).
  const RE2 ret(R"(>> goroutine\((\d+)\): )" + next + (stripped() ? R"( => \(0xADDR\))" : R"( => \(\))"));
  std::map<int, bool> open;
  int calls = 0;
  for (const std::string& l : rest) {
    int g = 0;
    if (RE2::FullMatch(l, entry, &g)) {
      EXPECT_FALSE(open[g]) << "a second entry before the return on goroutine " << g;
      open[g] = true;
      calls++;
    } else if (RE2::FullMatch(l, ret, &g)) {
      EXPECT_TRUE(open[g]) << "a return with no entry on goroutine " << g;
      open[g] = false;
    } else {
      ADD_FAILURE() << "unexpected line: " << l;
    }
  }
  EXPECT_GT(calls, 100);
  for (const auto& [g, is_open] : open) EXPECT_FALSE(is_open) << "goroutine " << g << " never returned";
}

// A file encryption tool: 300,000 bytes are four full 64 KiB chunks and a
// last one, each sealed by flushChunk, whose error result is nil.
TEST_P(RealPrograms, AgeEncryptsInChunks) {
  std::string in = temp_file("plain", std::string(300000, 'a'));
  std::string out = testing::TempDir() + "/plain.age";
  // The recipient of age's own documentation: encrypting needs no key.
  RunResult r = trace(kAge, {"-e", "-r", "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p", "-o", out, in});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::string hot = kAge.hot;
  std::string want = notice(kAge) + "> goroutine(1): main.main()\n";
  for (bool last : {false, false, false, false, true}) {
    if (stripped()) {
      want += "> goroutine(1): " + hot + "(0xADDR, " + (last ? "0x1" : "0x0") + ")\n>> goroutine(1): " + hot +
              " => (0x0,0x0)\n";
    } else {
      want += "> goroutine(1): " + hot + "((\"*filippo.io/age/internal/stream.EncryptWriter\")(0xADDR), " +
              (last ? "true" : "false") + ")\n>> goroutine(1): " + hot + " => (error nil)\n";
    }
  }
  want += ">> goroutine(1): main.main => ()\nProcess PID has exited with status 0\n";
  EXPECT_EQ(normalize(r.err), want);
  std::string sealed = slurp_file(out);
  EXPECT_EQ(sealed.rfind("age-encryption.org/v1\n", 0), 0u) << sealed.substr(0, 40);
}

// A process lister: it finds the Go processes once (this machine runs at
// least gotrace's target, gops itself).
TEST_P(RealPrograms, GopsListsProcesses) {
  RunResult r = trace(kGops, {});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(RE2::PartialMatch(r.out, R"((?m)^\d+\s+\d+\s+)" + std::string(stripped() ? "gops-stripped" : "gops") + R"(\s+)"))
      << r.out;
  std::string hot = kGops.hot;
  std::string err = normalize(r.err);
  RE2::GlobalReplace(&err, R"(len: \d+, cap: \d+)", "len: N, cap: N");
  EXPECT_EQ(err, notice(kGops) + "> goroutine(1): main.main()\n> goroutine(1): " + hot + "()\n>> goroutine(1): " + hot +
                     (stripped() ? " => ()" : " => ([]github.com/google/gops/goprocess.P len: N, cap: N, [...])") +
                     "\n>> goroutine(1): main.main => ()\nProcess PID has exited with status 0\n");
}

// A capture file of `n` Ethernet/IPv4/UDP packets (libpcap's format).
std::string capture(int n) {
  auto le32 = [](uint32_t v) { return std::string{char(v), char(v >> 8), char(v >> 16), char(v >> 24)}; };
  auto le16 = [](uint16_t v) { return std::string{char(v), char(v >> 8)}; };
  std::string file = le32(0xa1b2c3d4) + le16(2) + le16(4) + le32(0) + le32(0) + le32(65535) + le32(1);
  for (int i = 0; i < n; i++) {
    std::string eth = std::string("\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00", 14);
    std::string udp = std::string{char(0x03), char(0xe8 + i), char(0x07), char(0xd0), 0, 16, 0, 0} + "payload!";
    std::string ip = std::string{0x45, 0, 0, char(20 + udp.size()), 0, char(i), 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
    std::string packet = eth + ip + udp;
    file += le32(1700000000 + i) + le32(0) + le32(packet.size()) + le32(packet.size()) + packet;
  }
  return file;
}

// A cgo program (libpcap): each packet of the capture is decoded once, on
// the decoding goroutine, from its 50 bytes.
TEST_P(RealPrograms, PcapdumpDecodesEachPacket) {
  const int n = 7;
  std::string in = temp_file("seven.pcap", capture(n));
  RunResult r = trace(kPcapdump, {"-r", in});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int packets = 0;
  for (const std::string& l : lines(r.out)) packets += l.rfind("PACKET: 50 bytes, wire length 50 cap length 50 @ ", 0) == 0;
  EXPECT_EQ(packets, n) << r.out;
  std::string err = normalize(r.err);
  int g = 0;
  ASSERT_TRUE(RE2::PartialMatch(err, R"(> goroutine\((\d+)\): github)", &g)) << err;
  std::string gid = "goroutine(" + std::to_string(g) + "): ";
  std::string hot = kPcapdump.hot;
  // pcapdump logs its start to stderr, before main.main's first traced call.
  std::string want = notice(kPcapdump) + "Starting to read packets\n> goroutine(1): main.main()\n";
  for (int i = 0; i < n; i++) {
    if (stripped()) {
      // At the return the six words hold the error (nil) and what the
      // decoder left: the EtherType (0x800) and the frame's length.
      want += "> " + gid + hot + "(0xADDR, 0xADDR, 0x32, 0x32, 0xADDR, 0xADDR)\n>> " + gid + hot +
              " => (0x0,0x0,0x800,0x32,0xADDR,0xADDR)\n";
    } else {
      // The interface's data word reads 0xbeef000000000208 at the entry
      // (go1.26.8), in Delve 1.27.2's trace as in this one.
      want += "> " + gid + hot +
              "((\"*github.com/google/gopacket/layers.Ethernet\")(0xADDR), []uint8 len: 50, cap: 50, [...], "
              "github.com/google/gopacket.DecodeFeedback(*github.com/google/gopacket.eagerPacket) 0xADDR)\n>> " +
              gid + hot + " => (error nil)\n";
    }
  }
  want += ">> goroutine(1): main.main => ()\nProcess PID has exited with status 0\n";
  EXPECT_EQ(err, want);
}

// An HTTP/1.0 GET of `path` on 127.0.0.1:port: the whole response, "" when
// nothing listens there.
std::string http_get(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buf[4096];
      for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) response.append(buf, n);
    }
  }
  close(fd);
  return response;
}

// A server (Jaeger all-in-one, 120 MB, memory storage): main.main at the
// start, then each of three GET /api/services on the query port is one call
// of its handler, on a goroutine of its own; SIGINT ends gotrace and the
// server it launched. Jaeger's fixed ports: one test at a time
// (RESOURCE_LOCK in CMakeLists.txt).
TEST_P(RealPrograms, JaegerServes) {
  const int query_port = 16686;
  ASSERT_EQ(http_get(query_port, "/"), "") << "something already listens on " << query_port;
  Background tr = start({gotrace(), "trace", "--exec", binary(kJaeger), exactly("main.main") + "|" + exactly(kJaeger.hot)});
  // Readiness from the health check extension, so that every call of the
  // handler is one of the test's.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (http_get(13133, "/status").find("200 OK") == std::string::npos && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (int i = 0; i < 3; i++) {
    std::string got = http_get(query_port, "/api/services");
    EXPECT_NE(got.find("\r\n\r\n{\"data\":null,\"total\":0,\"limit\":0,\"offset\":0,\"errors\":null}"), std::string::npos)
        << got;
  }
  std::string hot = kJaeger.hot;
  ASSERT_TRUE(wait_for_text(tr.err_path, hot + " => (", 10000)) << slurp_file(tr.err_path);
  kill(tr.pid, SIGINT);
  RunResult r = tr.wait(30);
  EXPECT_EQ(r.exit_code, 128 + SIGINT);
  // Jaeger logs to stderr too: the trace is the lines gotrace writes.
  std::vector<std::string> trace;
  for (const std::string& l : lines(normalize(r.err)))
    if (l.rfind("> ", 0) == 0 || l.rfind(">> ", 0) == 0 || l.rfind("gotrace: ", 0) == 0) trace.push_back(l);
  std::string args = stripped() ? "0xADDR, 0xADDR, 0xADDR, 0xADDR"
                                : "(\"*github.com/jaegertracing/jaeger/cmd/query/app.APIHandler\")(0xADDR), "
                                  "net/http.ResponseWriter(struct { github.com/felixge/httpsnoop.Unwrapper; "
                                  "net/http.ResponseWriter; net/http.Flusher; net/http.CloseNotifier; "
                                  "net/http.Hijacker; io.ReaderFrom }) {Unwrapper: "
                                  "github.com/felixge/httpsnoop.Unwrapper(*github.com/felixge/httpsnoop.rw) ..., "
                                  "ResponseWriter: net/http.ResponseWriter(*github.com/felixge/httpsnoop.rw) ..., "
                                  "Flusher: net/http.Flusher(*github.com/felixge/httpsnoop.rw) ...,...+3 more}, "
                                  "(\"*net/http.Request\")(0xADDR)";
  size_t at = 0;
  if (stripped()) {
    ASSERT_FALSE(trace.empty());
    EXPECT_EQ(trace[0] + "\n", notice(kJaeger));
    at = 1;
  }
  ASSERT_EQ(trace.size(), at + 8) << testing::PrintToString(trace);
  EXPECT_EQ(trace[at], "> goroutine(1): main.main()");
  for (int i = 0; i < 3; i++) {
    const std::string& entry = trace[at + 1 + 2 * i];
    const std::string& ret = trace[at + 2 + 2 * i];
    std::string g;
    ASSERT_TRUE(RE2::PartialMatch(entry, R"(^> goroutine\((\d+)\): )", &g)) << entry;
    EXPECT_EQ(entry, "> goroutine(" + g + "): " + hot + "(" + args + ")");
    // Stripped: the same four words read again at the return.
    EXPECT_EQ(ret, ">> goroutine(" + g + "): " + hot + (stripped() ? " => (0x0,0x0,0x0,0xADDR)" : " => ()") + "");
  }
  EXPECT_TRUE(RE2::FullMatch(trace.back(), R"(gotrace: interrupted; killed process \d+)")) << trace.back();
  EXPECT_EQ(http_get(query_port, "/"), "") << "the server outlived gotrace";
}

INSTANTIATE_TEST_SUITE_P(Builds, RealPrograms, ::testing::Values(false, true),
                         [](const auto& info) { return std::string(info.param ? "Stripped" : "Debug"); });

}  // namespace
}  // namespace gotrace::itest
