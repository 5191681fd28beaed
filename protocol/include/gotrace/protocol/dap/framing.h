// DAP base-protocol framing (protocols.md §7.1): every message is
//   Content-Length: <N>\r\n
//   [other headers]\r\n
//   \r\n
//   <N bytes of UTF-8 JSON>
// with no trailing newline; several frames may share one read and one frame
// may be split across many. Header names match case-insensitively, headers
// other than Content-Length are ignored, and header lines end in "\r\n"
// (a bare "\n" is not a line end).
//
// Decoding is defensive in clangd's manner: every malformed input yields an
// error value instead of a guess. Errors are sticky: the stream cannot be
// resynchronized afterwards, so the caller should close the connection.
#pragma once

#include "gotrace/support/result.h"

#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gotrace::protocol::dap {

class FrameDecoder {
 public:
  static constexpr std::size_t kDefaultMaxBody = std::size_t{64} << 20;  // 64 MiB
  static constexpr std::size_t kMaxHeaderBytes = 8192;                   // 8 KiB

  // max_body bounds the Content-Length a peer may announce.
  explicit FrameDecoder(std::size_t max_body = kDefaultMaxBody);

  // Appends bytes as read from the socket, in chunks of any size. Nothing is
  // parsed here; call next() until it returns std::nullopt after each feed.
  void feed(std::string_view bytes);

  // The next complete body parsed as JSON (any JSON value: checking that it is
  // a request object is parse_request's job), std::nullopt when more bytes
  // are needed, or an error (Errc::invalid_argument), one of:
  //   "missing Content-Length header"
  //   "invalid Content-Length \"abc\""       (not a decimal number)
  //   "negative Content-Length -5"
  //   "Content-Length 99999999 exceeds the limit of 67108864 bytes"
  //   "conflicting Content-Length headers"
  //   "malformed header line \"...\""       (no ':' in the line)
  //   "header section exceeds 8192 bytes"
  //   "invalid JSON body: <Boost.JSON's reason>"
  [[nodiscard]] Result<std::optional<boost::json::value>> next();

  bool failed() const { return error_.has_value(); }
  // Bytes fed but not yet consumed as a frame.
  std::size_t buffered() const { return buf_.size() - pos_; }

 private:
  Result<std::optional<boost::json::value>> fail(std::string message);

  std::size_t max_body_;
  std::string buf_;
  std::size_t pos_ = 0;                    // first unconsumed byte in buf_
  std::optional<std::size_t> body_size_;   // set once a header section is parsed
  std::optional<Error> error_;
};

// "Content-Length: N\r\n\r\n" followed by the compact JSON of message (Go
// escaping, as Delve writes it: '<', '>' and '&' as \u003c \u003e \u0026),
// no trailing newline.
std::string encode_frame(const boost::json::value& message);
// The same for a message already written as JSON text.
std::string encode_frame_text(std::string_view message_json);

}  // namespace gotrace::protocol::dap
