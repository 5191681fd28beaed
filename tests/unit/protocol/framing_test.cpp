#include "gotrace/protocol/rpc/framing.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <random>

namespace gotrace::protocol::rpc {
namespace {

namespace json = boost::json;

// Feeds input in the given chunk sizes (cycled) and collects every value.
std::vector<std::string> decode_all(StreamDecoder& d, std::string_view input, std::vector<std::size_t> chunks,
                                    std::string* error = nullptr) {
  std::vector<std::string> out;
  std::size_t pos = 0, ci = 0;
  while (pos < input.size()) {
    std::size_t n = std::min(chunks[ci++ % chunks.size()], input.size() - pos);
    d.feed(input.substr(pos, n));
    pos += n;
    for (;;) {
      auto r = d.next();
      if (!r) {
        if (error) *error = r.error().message;
        return out;
      }
      if (!*r) break;
      out.push_back(json::serialize(**r));
    }
  }
  return out;
}

const std::string kThree =
    R"({"method":"RPCServer.ProcessPid","params":[{}],"id":900}{"method":"RPCServer.IsMulticlient","params":[{}],"id":901})"
    "\n  \r\n\t"
    R"({"s":"a\"b\\c\u00e9\ud83d\ude00","n":-12.5e3,"big":13758215386640154624,"arr":[1,[2,{}]]})"
    "\n";

TEST(Framing, WholeInputOneChunk) {
  StreamDecoder d;
  auto v = decode_all(d, kThree, {kThree.size()});
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0], R"({"method":"RPCServer.ProcessPid","params":[{}],"id":900})");
  EXPECT_EQ(v[1], R"({"method":"RPCServer.IsMulticlient","params":[{}],"id":901})");
  auto third = json::parse(v[2]);
  EXPECT_EQ(third.at("s").as_string(), "a\"b\\c\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(third.at("big").as_uint64(), 13758215386640154624ull);
  EXPECT_EQ(third.at("n").as_double(), -12500.0);
  EXPECT_EQ(d.buffered(), 0u);
  EXPECT_EQ(d.offset(), kThree.size());
}

TEST(Framing, ByteByByte) {
  StreamDecoder d;
  auto v = decode_all(d, kThree, {1});
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[1], R"({"method":"RPCServer.IsMulticlient","params":[{}],"id":901})");
}

TEST(Framing, RandomChunks) {
  StreamDecoder one;
  auto expected = decode_all(one, kThree, {kThree.size()});
  std::string input;
  for (int i = 0; i < 20; ++i) input += kThree;
  std::mt19937 rng(42);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::size_t> chunks;
    for (int i = 0; i < 64; ++i) chunks.push_back(1 + rng() % 97);
    StreamDecoder d;
    auto v = decode_all(d, input, chunks);
    ASSERT_EQ(v.size(), 60u) << "round " << round;
    for (std::size_t i = 0; i < v.size(); ++i) EXPECT_EQ(v[i], expected[i % 3]);
  }
}

TEST(Framing, BackToBackNoSeparator) {
  StreamDecoder d;
  auto v = decode_all(d, R"({"a":1}{"b":2})", {100});
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0], R"({"a":1})");
  EXPECT_EQ(v[1], R"({"b":2})");
}

TEST(Framing, IncompleteValueWaits) {
  StreamDecoder d;
  d.feed(R"({"a":)");
  auto r = d.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  d.feed("1}\n");
  r = d.next();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(json::serialize(**r), R"({"a":1})");
  r = d.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
}

TEST(Framing, SplitInsideStringEscape) {
  std::string msg = R"({"k":"x\u003cy\\z\"","n":123456789})";
  for (std::size_t cut = 1; cut < msg.size(); ++cut) {
    StreamDecoder d;
    auto v = decode_all(d, msg + "\n", {cut, msg.size()});
    ASSERT_EQ(v.size(), 1u) << "cut at " << cut;
    auto o = json::parse(v[0]);
    EXPECT_EQ(o.at("k").as_string(), "x<y\\z\"");
    EXPECT_EQ(o.at("n").as_int64(), 123456789);
  }
}

TEST(Framing, SplitInsideNumber) {
  StreamDecoder d;
  d.feed(R"({"addr":1375821538)");
  auto r = d.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  d.feed("6640154624}");
  r = d.next();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->at("addr").as_uint64(), 13758215386640154624ull);
}

TEST(Framing, TopLevelNumberNeedsADelimiter) {
  // Like Go's decoder: "12" may continue, so it is complete only at a delimiter.
  StreamDecoder d;
  d.feed("12");
  auto r = d.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  d.feed("3 ");
  r = d.next();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->as_int64(), 123);
}

TEST(Framing, OnlyWhitespace) {
  StreamDecoder d;
  d.feed(" \n\t\r\n ");
  auto r = d.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  EXPECT_EQ(d.offset(), 6u);
}

TEST(Framing, OversizedMessage) {
  StreamDecoder d(32);
  std::string big = R"({"method":"RPCServer.ProcessPid","params":[{}],"id":1})";  // 55 bytes
  std::string err;
  auto v = decode_all(d, R"({"a":1})" "\n" + big + "\n", {7}, &err);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(err, "message exceeds 32 bytes");
  EXPECT_TRUE(d.failed());
  // Sticky: more input does not revive the stream.
  d.feed(R"({"a":1})");
  auto r = d.next();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "message exceeds 32 bytes");
}

TEST(Framing, OversizedInOneChunkIsRefusedEarly) {
  StreamDecoder d(16);
  std::string huge = "[\"" + std::string(1 << 20, 'x') + "\"]";
  d.feed(huge);
  auto r = d.next();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "message exceeds 16 bytes");
}

TEST(Framing, ExactlyMaxIsAccepted) {
  std::string msg = R"({"a":"0123456789"})";  // 18 bytes
  for (std::size_t chunk : {std::size_t{1}, std::size_t{5}, std::size_t{100}}) {
    StreamDecoder d(msg.size());
    std::string err;
    auto v = decode_all(d, "  " + msg + "  \n" + msg + "\n\n", {chunk}, &err);
    EXPECT_EQ(v.size(), 2u) << chunk;
    EXPECT_EQ(err, "") << chunk;
  }
  StreamDecoder d(msg.size() - 1);
  std::string err;
  decode_all(d, msg, {100}, &err);
  EXPECT_EQ(err, "message exceeds 17 bytes");
}

TEST(Framing, MalformedJsonNamesOffset) {
  StreamDecoder d;
  std::string err;
  auto v = decode_all(d, R"({"a":1} {"b":x})", {3}, &err);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(err, "invalid JSON at byte 13: syntax error");
  auto r = d.next();
  EXPECT_FALSE(r);
}

TEST(Framing, DapHeaderIsNotJson) {
  // What a JSON-RPC-only server sees when a DAP client connects.
  StreamDecoder d;
  d.feed("Content-Length: 10\r\n\r\n");
  auto r = d.next();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "invalid JSON at byte 0: syntax error");
}

TEST(Framing, TrailingCommaAndCommentsRejected) {
  for (const char* bad : {R"({"a":1,})", "{/*c*/}", "[1,]", "{'a':1}", "nul "}) {
    StreamDecoder d;
    d.feed(bad);
    auto r = d.next();
    EXPECT_FALSE(r) << bad;
  }
}

TEST(Framing, InvalidUtf8Accepted) {
  StreamDecoder d;
  d.feed("{\"s\":\"\xff\xfe\"}");
  auto r = d.next();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->at("s").as_string(), "\xff\xfe");
}

}  // namespace
}  // namespace gotrace::protocol::rpc
