// A small blocking client for Delve's JSON-RPC 1.0 stream (protocols.md §2):
// newline-terminated JSON objects over TCP. Every read has a timeout, so a
// server that never answers fails the test instead of hanging it.
#pragma once

#include <boost/json.hpp>

#include <deque>
#include <map>
#include <optional>
#include <string>

namespace gotrace::itest {

namespace json = boost::json;

class RpcClient {
 public:
  enum class Status { line, timeout, eof };
  struct Read {
    Status status = Status::eof;
    std::string line;  // without the trailing '\n'
  };

  RpcClient() = default;
  ~RpcClient();
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  // Connects to 127.0.0.1:port (or host:port); false on failure.
  bool connect(int port, const std::string& host = "127.0.0.1");
  bool connected() const { return fd_ >= 0; }
  void close();
  // Shuts down the writing side only (the server sees EOF).
  void shutdown_write();

  // Writes raw bytes; false if the peer is gone.
  bool send_raw(const std::string& bytes);
  // Reads one line (bounded by timeout_ms).
  Read read_line(int timeout_ms = 10000);
  // Waits until the peer closes the connection; true on EOF (or reset),
  // false on timeout. Discards anything read meanwhile.
  bool wait_closed(int timeout_ms = 10000);

  // Sends {"method":"RPCServer.<method>","params":[params],"id":<n>} and
  // returns the response with that id (responses to other ids are kept for
  // later wait() calls). A null value means timeout or EOF; last_status()
  // tells which.
  json::value call(const std::string& method, const json::value& params, int timeout_ms = 10000);
  // Sends a request without waiting; returns its id.
  int64_t send(const std::string& method, const json::value& params);
  json::value wait(const json::value& id, int timeout_ms = 10000);
  Status last_status() const { return last_; }

  static std::string request_line(const std::string& method, const json::value& params,
                                  const json::value& id);

 private:
  int fd_ = -1;
  std::string buf_;
  int64_t next_id_ = 0;
  std::deque<json::value> stash_;
  Status last_ = Status::line;
};

// The standard load configs of the dlv terminal client.
json::value short_load_config();        // {false,0,64,0,3}
json::value return_info_load_config();  // {true,1,64,64,-1}

// Parses a whole JSON text; a null value and *error set on failure.
json::value parse_json(const std::string& text, std::string* error = nullptr);

}  // namespace gotrace::itest
