#include "gotrace/protocol/rpc/framing.h"

#include <boost/json/parse_options.hpp>

#include <algorithm>

namespace gotrace::protocol::rpc {
namespace json = boost::json;

namespace {

json::parse_options go_like_options() {
  json::parse_options o;
  o.max_depth = 10000;           // Go's decoder limit; Boost's parser is not recursive
  o.allow_invalid_utf8 = true;   // Go accepts it (and replaces it with U+FFFD)
  return o;
}

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

StreamDecoder::StreamDecoder(std::size_t max_message)
    : max_message_(max_message), parser_(json::storage_ptr(), go_like_options()) {}

void StreamDecoder::feed(std::string_view bytes) {
  if (error_) return;
  // Compact lazily so a long-lived connection does not grow the buffer.
  if (pos_ > 0 && pos_ >= buf_.size() / 2) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

Result<std::optional<json::value>> StreamDecoder::next() {
  if (error_) return *error_;
  while (pos_ < buf_.size()) {
    if (!in_value_) {
      while (pos_ < buf_.size() && is_ws(buf_[pos_])) {
        ++pos_;
        ++stream_pos_;
      }
      if (pos_ == buf_.size()) break;
      in_value_ = true;
      value_bytes_ = 0;
    }
    // Never hand the parser more than one byte past the limit, so an
    // oversized value is refused without buffering it whole.
    std::size_t room = max_message_ - std::min(value_bytes_, max_message_) + 1;
    std::size_t len = std::min(buf_.size() - pos_, room);
    boost::system::error_code ec;
    std::size_t n = parser_.write_some(buf_.data() + pos_, len, ec);
    if (ec) {
      error_ = make_error(Errc::invalid_argument,
                          "invalid JSON at byte " + std::to_string(stream_pos_ + n) + ": " + ec.message());
      return *error_;
    }
    const char* consumed = buf_.data() + pos_;
    pos_ += n;
    stream_pos_ += n;
    if (parser_.done()) {
      // The parser also eats the whitespace after a value; that is not part
      // of the message (a value never ends in whitespace).
      std::size_t trailing = 0;
      while (trailing < n && is_ws(consumed[n - 1 - trailing])) ++trailing;
      value_bytes_ += n - trailing;
    } else {
      value_bytes_ += n;
    }
    if (value_bytes_ > max_message_) {
      error_ = make_error(Errc::invalid_argument, "message exceeds " + std::to_string(max_message_) + " bytes");
      return *error_;
    }
    if (parser_.done()) {
      json::value v = parser_.release();
      parser_.reset();
      in_value_ = false;
      return std::optional<json::value>(std::move(v));
    }
  }
  return std::optional<json::value>();
}

}  // namespace gotrace::protocol::rpc
