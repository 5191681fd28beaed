#include "gotrace/protocol/dap/framing.h"

#include "gotrace/protocol/rpc/json_write.h"

#include <boost/json/parse.hpp>

#include <cctype>
#include <limits>

namespace gotrace::protocol::dap {
namespace json = boost::json;

namespace {

constexpr std::string_view kCrLf = "\r\n";

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Shown in errors: at most 64 bytes of untrusted input.
std::string quote(std::string_view s) {
  std::string out = "\"";
  out.append(s.substr(0, 64));
  if (s.size() > 64) out += "...";
  out += '"';
  return out;
}

}  // namespace

FrameDecoder::FrameDecoder(std::size_t max_body) : max_body_(max_body) {}

void FrameDecoder::feed(std::string_view bytes) {
  if (error_) return;
  // Compact lazily so a long-lived connection does not grow the buffer.
  if (pos_ > 0 && pos_ >= buf_.size() / 2) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

Result<std::optional<json::value>> FrameDecoder::fail(std::string message) {
  error_ = make_error(Errc::invalid_argument, std::move(message));
  return *error_;
}

Result<std::optional<json::value>> FrameDecoder::next() {
  if (error_) return *error_;
  const std::string_view avail = std::string_view(buf_).substr(pos_);

  if (!body_size_) {
    // The header section ends at the first empty line. It may itself be
    // empty ("\r\n" at once), which then lacks Content-Length.
    std::size_t end = std::string_view::npos;  // offset of the empty line's "\r\n"
    std::size_t header_len = 0;                // bytes through the blank line
    if (avail.starts_with(kCrLf)) {
      end = 0;
      header_len = 2;
    } else if (std::size_t p = avail.find("\r\n\r\n"); p != std::string_view::npos) {
      end = p + 2;
      header_len = p + 4;
    }
    if (end == std::string_view::npos) {
      if (avail.size() > kMaxHeaderBytes)
        return fail("header section exceeds " + std::to_string(kMaxHeaderBytes) + " bytes");
      return std::optional<json::value>();
    }
    if (header_len > kMaxHeaderBytes)
      return fail("header section exceeds " + std::to_string(kMaxHeaderBytes) + " bytes");

    std::optional<std::size_t> length;
    std::string_view headers = avail.substr(0, end);
    while (!headers.empty()) {
      std::size_t eol = headers.find(kCrLf);
      std::string_view line = headers.substr(0, eol);
      headers.remove_prefix(eol == std::string_view::npos ? headers.size() : eol + 2);
      std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) return fail("malformed header line " + quote(line));
      if (!iequals(trim(line.substr(0, colon)), "Content-Length")) continue;
      std::string_view value = trim(line.substr(colon + 1));
      if (value.empty()) return fail("invalid Content-Length \"\"");
      if (value.front() == '-') {
        bool digits = value.size() > 1;
        for (char c : value.substr(1)) digits = digits && std::isdigit(static_cast<unsigned char>(c));
        if (digits) return fail("negative Content-Length " + std::string(value.substr(0, 32)));
        return fail("invalid Content-Length " + quote(value));
      }
      std::size_t n = 0;
      bool overflow = false;
      for (char c : value) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return fail("invalid Content-Length " + quote(value));
        std::size_t d = static_cast<std::size_t>(c - '0');
        if (n > (std::numeric_limits<std::size_t>::max() - d) / 10) overflow = true;
        else n = n * 10 + d;
      }
      if (overflow || n > max_body_)
        return fail("Content-Length " + std::string(value.substr(0, 32)) + " exceeds the limit of " +
                    std::to_string(max_body_) + " bytes");
      if (length && *length != n) return fail("conflicting Content-Length headers");
      length = n;
    }
    if (!length) return fail("missing Content-Length header");
    body_size_ = *length;
    pos_ += header_len;
  }

  if (buf_.size() - pos_ < *body_size_) return std::optional<json::value>();
  std::string_view body = std::string_view(buf_).substr(pos_, *body_size_);
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return fail("invalid JSON body: " + ec.message());
  pos_ += *body_size_;
  body_size_.reset();
  return std::optional<json::value>(std::move(v));
}

std::string encode_frame(const json::value& message) {
  return encode_frame_text(rpc::to_go_json(message));
}

std::string encode_frame_text(std::string_view message_json) {
  std::string out;
  out.reserve(message_json.size() + 32);
  out += "Content-Length: ";
  out += std::to_string(message_json.size());
  out += "\r\n\r\n";
  out += message_json;
  return out;
}

}  // namespace gotrace::protocol::dap
