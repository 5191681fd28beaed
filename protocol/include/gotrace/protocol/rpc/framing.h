// Splits a byte stream into JSON values the way Go's json.Decoder reads the
// Delve JSON-RPC connection (protocols.md §2): values follow each other with
// any whitespace or none between them, and there are no length headers.
#pragma once

#include "gotrace/support/result.h"

#include <boost/json/stream_parser.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gotrace::protocol::rpc {

class StreamDecoder {
 public:
  static constexpr std::size_t kDefaultMaxMessage = std::size_t{64} << 20;

  // max_message bounds one value's bytes (whitespace around it not counted).
  explicit StreamDecoder(std::size_t max_message = kDefaultMaxMessage);

  // Appends bytes as read from the socket, in chunks of any size. Nothing is
  // parsed here; call next() until it returns std::nullopt after each feed.
  void feed(std::string_view bytes);

  // The next complete value, std::nullopt when more bytes are needed, or an
  // error: "message exceeds N bytes" or "invalid JSON at byte K: <why>" (K is
  // the offset in the whole stream). Errors are sticky: after one the stream
  // cannot be resynchronized and every later call returns the same error, so
  // the caller should close the connection.
  [[nodiscard]] Result<std::optional<boost::json::value>> next();

  bool failed() const { return error_.has_value(); }
  // Bytes fed but not yet given to the parser.
  std::size_t buffered() const { return buf_.size() - pos_; }
  // Bytes of the stream consumed so far.
  std::size_t offset() const { return stream_pos_; }

 private:
  std::size_t max_message_;
  boost::json::stream_parser parser_;
  std::string buf_;
  std::size_t pos_ = 0;         // first unconsumed byte in buf_
  std::size_t stream_pos_ = 0;  // absolute offset of buf_[pos_]
  std::size_t value_bytes_ = 0; // bytes of the value being parsed so far
  bool in_value_ = false;
  std::optional<Error> error_;
};

}  // namespace gotrace::protocol::rpc
