#include "rpc_client.h"

// boost::json compiled into this test binary (header-only mode).
#include <boost/json/src.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace gotrace::itest {

RpcClient::~RpcClient() { close(); }

bool RpcClient::connect(int port, const std::string& host) {
  close();
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return false;
  }
  fd_ = fd;
  buf_.clear();
  stash_.clear();
  return true;
}

void RpcClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void RpcClient::shutdown_write() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

bool RpcClient::send_raw(const std::string& bytes) {
  if (fd_ < 0) return false;
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

RpcClient::Read RpcClient::read_line(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    size_t nl = buf_.find('\n');
    if (nl != std::string::npos) {
      Read r{Status::line, buf_.substr(0, nl)};
      buf_.erase(0, nl + 1);
      return r;
    }
    if (fd_ < 0) return {Status::eof, {}};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return {Status::timeout, {}};
    pollfd p{fd_, POLLIN, 0};
    int pr = ::poll(&p, 1, static_cast<int>(left));
    if (pr < 0 && errno == EINTR) continue;
    if (pr == 0) return {Status::timeout, {}};
    char tmp[65536];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return {Status::eof, {}};
    buf_.append(tmp, static_cast<size_t>(n));
  }
}

bool RpcClient::wait_closed(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return false;
    Read r = read_line(static_cast<int>(left));
    if (r.status == Status::eof) return true;
    if (r.status == Status::timeout) return false;
  }
}

std::string RpcClient::request_line(const std::string& method, const json::value& params,
                                    const json::value& id) {
  json::object req;
  req["method"] = "RPCServer." + method;
  req["params"] = json::array{params};
  req["id"] = id;
  return json::serialize(req) + "\n";
}

int64_t RpcClient::send(const std::string& method, const json::value& params) {
  int64_t id = next_id_++;
  send_raw(request_line(method, params, id));
  return id;
}

json::value RpcClient::wait(const json::value& id, int timeout_ms) {
  for (auto it = stash_.begin(); it != stash_.end(); ++it) {
    if (it->as_object().at("id") == id) {
      json::value v = *it;
      stash_.erase(it);
      last_ = Status::line;
      return v;
    }
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    Read r = read_line(static_cast<int>(std::max<int64_t>(left, 0)));
    last_ = r.status;
    if (r.status != Status::line) return nullptr;
    json::value v = parse_json(r.line);
    if (!v.is_object() || !v.as_object().contains("id")) {
      last_ = Status::eof;  // garbage from the server: treat as a broken stream
      return nullptr;
    }
    if (v.as_object().at("id") == id) return v;
    stash_.push_back(std::move(v));
  }
}

json::value RpcClient::call(const std::string& method, const json::value& params,
                            int timeout_ms) {
  return wait(json::value(send(method, params)), timeout_ms);
}

json::value short_load_config() {
  return json::parse(
      R"({"FollowPointers":false,"MaxVariableRecurse":0,"MaxStringLen":64,"MaxArrayValues":0,"MaxStructFields":3})");
}

json::value return_info_load_config() {
  return json::parse(
      R"({"FollowPointers":true,"MaxVariableRecurse":1,"MaxStringLen":64,"MaxArrayValues":64,"MaxStructFields":-1})");
}

json::value parse_json(const std::string& text, std::string* error) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) {
    if (error) *error = ec.message();
    return nullptr;
  }
  return v;
}

}  // namespace gotrace::itest
