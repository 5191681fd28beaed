#include "gotrace/protocol/dap/framing.h"
#include "gotrace/protocol/dap/message.h"
#include "gotrace/protocol/dap/types.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <random>

namespace gotrace::protocol::dap {
namespace {

namespace json = boost::json;

struct Decoded {
  std::vector<std::string> bodies;  // serialized
  std::optional<std::string> error;
};

// Feeds input in the given chunk sizes (cycled) and collects every body.
Decoded decode_all(FrameDecoder& d, std::string_view input, std::vector<std::size_t> chunks) {
  Decoded out;
  std::size_t pos = 0, ci = 0;
  while (pos < input.size()) {
    std::size_t n = std::min(chunks[ci++ % chunks.size()], input.size() - pos);
    d.feed(input.substr(pos, n));
    pos += n;
    for (;;) {
      auto r = d.next();
      if (!r) {
        out.error = r.error().message;
        return out;
      }
      if (!*r) break;
      out.bodies.push_back(json::serialize(**r));
    }
  }
  return out;
}

Decoded decode_all(std::string_view input, std::size_t max_body = FrameDecoder::kDefaultMaxBody) {
  FrameDecoder d(max_body);
  return decode_all(d, input, {input.size() + 1});
}

std::string frame(std::string_view body) {
  return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// Exact bytes from framing-raw-bytes.txt §C (frames without sanitized paths,
// so their Content-Length values are the real ones).
const std::string kInitializeRequest =
    "Content-Length: 537\r\n\r\n"
    R"({"type":"request","seq":1,"command":"initialize","arguments":{"clientID":"vscode","clientName":"Visual Studio Code","adapterID":"go","pathFormat":"path","linesStartAt1":true,"columnsStartAt1":true,"supportsVariableType":true,"supportsVariablePaging":true,"supportsRunInTerminalRequest":true,"locale":"en","supportsProgressReporting":true,"supportsInvalidatedEvent":true,"supportsMemoryReferences":true,"supportsArgsCanBeInterpretedByShell":true,"supportsMemoryEvent":true,"supportsStartDebuggingRequest":true,"supportsANSIStyling":true}})";
const std::string kInitializeResponse =
    "Content-Length: 503\r\n\r\n"
    R"({"seq":0,"type":"response","request_seq":1,"success":true,"command":"initialize","body":{"supportsConfigurationDoneRequest":true,"supportsFunctionBreakpoints":true,"supportsConditionalBreakpoints":true,"supportsEvaluateForHovers":true,"supportsSetVariable":true,"supportsExceptionInfoRequest":true,"supportsDelayedStackTraceLoading":true,"supportsLogPoints":true,"supportsDisassembleRequest":true,"supportsClipboardContext":true,"supportsSteppingGranularity":true,"supportsInstructionBreakpoints":true}})";
// One TCP read carrying two frames.
const std::string kInitializedAndLaunch =
    "Content-Length: 46\r\n\r\n"
    R"({"seq":0,"type":"event","event":"initialized"})"
    "Content-Length: 77\r\n\r\n"
    R"({"seq":0,"type":"response","request_seq":2,"success":true,"command":"launch"})";
const std::string kSetFunctionBreakpoints =
    "Content-Length: 137\r\n\r\n"
    R"({"type":"request","seq":4,"command":"setFunctionBreakpoints","arguments":{"breakpoints":[{"name":"main.worker"},{"name":"main.nosuch"}]}})";
const std::string kSetExceptionBreakpoints =
    "Content-Length: 89\r\n\r\n"
    R"({"type":"request","seq":5,"command":"setExceptionBreakpoints","arguments":{"filters":[]}})";

std::string body_of(const std::string& framed) { return framed.substr(framed.find("\r\n\r\n") + 4); }

TEST(DapFraming, RawBytesFromDelveCapture) {
  const std::string all =
      kInitializeRequest + kInitializeResponse + kInitializedAndLaunch + kSetFunctionBreakpoints + kSetExceptionBreakpoints;
  Decoded d = decode_all(all);
  ASSERT_FALSE(d.error) << *d.error;
  ASSERT_EQ(d.bodies.size(), 6u);
  EXPECT_EQ(d.bodies[0], json::serialize(json::parse(body_of(kInitializeRequest))));
  EXPECT_EQ(d.bodies[2], R"({"seq":0,"type":"event","event":"initialized"})");
  EXPECT_EQ(d.bodies[3], R"({"seq":0,"type":"response","request_seq":2,"success":true,"command":"launch"})");
  EXPECT_EQ(d.bodies[5], R"({"type":"request","seq":5,"command":"setExceptionBreakpoints","arguments":{"filters":[]}})");
}

TEST(DapFraming, ByteByByteAndRandomChunks) {
  const std::string all = kInitializeRequest + kInitializedAndLaunch + kSetFunctionBreakpoints;
  Decoded whole = decode_all(all);
  ASSERT_EQ(whole.bodies.size(), 4u);
  {
    FrameDecoder d;
    Decoded one = decode_all(d, all, {1});
    ASSERT_FALSE(one.error);
    EXPECT_EQ(one.bodies, whole.bodies);
    EXPECT_EQ(d.buffered(), 0u);
  }
  std::mt19937 rng(12345);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::size_t> chunks;
    for (int i = 0; i < 16; ++i) chunks.push_back(std::uniform_int_distribution<std::size_t>(1, 700)(rng));
    FrameDecoder d;
    Decoded got = decode_all(d, all, chunks);
    ASSERT_FALSE(got.error) << *got.error;
    EXPECT_EQ(got.bodies, whole.bodies) << "round " << round;
  }
}

TEST(DapFraming, TwoFramesInOneFeed) {
  FrameDecoder d;
  d.feed(kInitializedAndLaunch);
  auto a = d.next();
  ASSERT_TRUE(a && *a);
  EXPECT_EQ(json::serialize(**a), R"({"seq":0,"type":"event","event":"initialized"})");
  auto b = d.next();
  ASSERT_TRUE(b && *b);
  EXPECT_EQ((**b).at("command"), "launch");
  auto c = d.next();
  ASSERT_TRUE(c);
  EXPECT_FALSE(*c);
}

TEST(DapFraming, WaitsForCompleteHeaderAndBody) {
  FrameDecoder d;
  d.feed("Content-Length: 2");
  EXPECT_FALSE(*d.next());
  d.feed("\r\n\r");
  EXPECT_FALSE(*d.next());
  d.feed("\n{");
  EXPECT_FALSE(*d.next());
  d.feed("}");
  auto r = d.next();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(json::serialize(**r), "{}");
}

TEST(DapFraming, HeaderVariants) {
  const std::string body = R"({"a":1})";
  for (const std::string& header : {
           std::string("content-length: 7\r\n\r\n"),
           std::string("CONTENT-LENGTH:7\r\n\r\n"),
           std::string("Content-Length:   7  \r\n\r\n"),
           std::string("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: 7\r\n\r\n"),
           std::string("Content-Length: 7\r\nX-Extra: {\"not\":\"json\"}\r\n\r\n"),
           std::string("Content-Length: 007\r\n\r\n"),
           std::string("Content-Length: 7\r\nContent-Length: 7\r\n\r\n"),
       }) {
    Decoded d = decode_all(header + body);
    ASSERT_FALSE(d.error) << header << ": " << *d.error;
    ASSERT_EQ(d.bodies.size(), 1u) << header;
    EXPECT_EQ(d.bodies[0], body);
  }
}

TEST(DapFraming, Errors) {
  struct Case {
    std::string input;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"Content-Type: x\r\n\r\n{}", "missing Content-Length header"},
      {"\r\n{}", "missing Content-Length header"},
      {"Content-Length: abc\r\n\r\n{}", "invalid Content-Length \"abc\""},
      {"Content-Length: 12x\r\n\r\n{}", "invalid Content-Length \"12x\""},
      {"Content-Length: \r\n\r\n{}", "invalid Content-Length \"\""},
      {"Content-Length: -5\r\n\r\n{}", "negative Content-Length -5"},
      {"Content-Length: 1000\r\n\r\n{}", "Content-Length 1000 exceeds the limit of 100 bytes"},
      {"Content-Length: 99999999999999999999999\r\n\r\n{}",
       "Content-Length 99999999999999999999999 exceeds the limit of 100 bytes"},
      {"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", "conflicting Content-Length headers"},
      {"Content-Length 2\r\n\r\n{}", "malformed header line \"Content-Length 2\""},
      {"Content-Length: 2\r\n\r\n{]", "invalid JSON body: "},
      {"Content-Length: 0\r\n\r\n", "invalid JSON body: "},
      {"Content-Length: 5\r\n\r\n{} {}", "invalid JSON body: "},
  };
  for (const Case& c : cases) {
    Decoded d = decode_all(c.input, 100);
    ASSERT_TRUE(d.error) << c.input;
    EXPECT_TRUE(d.error->starts_with(c.error)) << c.input << " -> " << *d.error;
  }
}

TEST(DapFraming, DefaultLimitIs64MiB) {
  Decoded d = decode_all("Content-Length: 67108865\r\n\r\n");
  ASSERT_TRUE(d.error);
  EXPECT_EQ(*d.error, "Content-Length 67108865 exceeds the limit of 67108864 bytes");
  FrameDecoder ok;
  ok.feed("Content-Length: 67108864\r\n\r\n");
  auto r = ok.next();
  ASSERT_TRUE(r);  // accepted; waits for the body
  EXPECT_FALSE(*r);
}

TEST(DapFraming, InvalidJsonNamesBoostReason) {
  Decoded d = decode_all(frame("{\"a\":}"));
  ASSERT_TRUE(d.error);
  EXPECT_GT(d.error->size(), std::string("invalid JSON body: ").size());
  EXPECT_NE(d.error->find("invalid JSON body: "), std::string::npos);
}

TEST(DapFraming, HeaderSectionLimit) {
  // Without a blank line: refused once more than 8 KiB are buffered.
  FrameDecoder d;
  d.feed("X-Pad: " + std::string(8180, 'a'));
  EXPECT_TRUE(d.next());
  d.feed(std::string(20, 'a'));
  auto r = d.next();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "header section exceeds 8192 bytes");
  // With the blank line arriving at once: same limit.
  Decoded big = decode_all("X-Pad: " + std::string(9000, 'a') + "\r\nContent-Length: 2\r\n\r\n{}");
  ASSERT_TRUE(big.error);
  EXPECT_EQ(*big.error, "header section exceeds 8192 bytes");
  // Just under the limit is fine.
  std::string header = "Content-Length: 2\r\nX-Pad: ";
  header += std::string(8192 - header.size() - 4, 'a') + "\r\n\r\n";
  ASSERT_EQ(header.size(), 8192u);
  Decoded ok = decode_all(header + "{}");
  EXPECT_FALSE(ok.error);
  EXPECT_EQ(ok.bodies.size(), 1u);
}

TEST(DapFraming, ErrorsAreSticky) {
  FrameDecoder d;
  d.feed("Content-Length: x\r\n\r\n");
  auto a = d.next();
  ASSERT_FALSE(a);
  d.feed(frame("{}"));
  auto b = d.next();
  ASSERT_FALSE(b);
  EXPECT_EQ(a.error().message, b.error().message);
  EXPECT_TRUE(d.failed());
}

TEST(DapFraming, EncodeFrameMatchesDelveBytes) {
  Capabilities caps;
  caps.supportsConfigurationDoneRequest = true;
  caps.supportsFunctionBreakpoints = true;
  caps.supportsConditionalBreakpoints = true;
  caps.supportsEvaluateForHovers = true;
  caps.supportsSetVariable = true;
  caps.supportsExceptionInfoRequest = true;
  caps.supportsDelayedStackTraceLoading = true;
  caps.supportsLogPoints = true;
  caps.supportsDisassembleRequest = true;
  caps.supportsClipboardContext = true;
  caps.supportsSteppingGranularity = true;
  caps.supportsInstructionBreakpoints = true;
  // Delve 1.20.2 sends seq 0; gotrace counts from 1, but the bytes must
  // otherwise be identical.
  EXPECT_EQ(encode_frame(make_response(0, 1, "initialize", true, std::nullopt, to_json(caps))), kInitializeResponse);
  EXPECT_EQ(encode_frame(make_event(0, "initialized")) + encode_frame(make_response(0, 2, "launch", true)),
            kInitializedAndLaunch);
}

TEST(DapFraming, EncodeFrameCountsBytesNotCharacters) {
  json::object o;
  o["s"] = "h\xC3\xA9 > x";  // é is two bytes; '>' is escaped as \u003e (6 bytes)
  std::string f = encode_frame(o);
  std::string body = R"({"s":"hé \u003e x"})";
  EXPECT_EQ(f, "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  Decoded d = decode_all(f);
  ASSERT_EQ(d.bodies.size(), 1u);
  EXPECT_EQ(json::parse(d.bodies[0]), json::value(o));
}

}  // namespace
}  // namespace gotrace::protocol::dap
