// One DAP client (VS Code, DebugClient, scripts), over TCP or stdio.
//
// DAP breakpoints become tracepoints: function breakpoints trace entry and
// return, logpoints print their message, plain source breakpoints print the
// call; every hit is one `output` event and the program never stops.
#pragma once

#include "gotrace/protocol/dap/log_message.h"
#include "gotrace/tracer/build_output.h"
#include "server_impl.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gotrace::headless {

class DapSession : public ClientSession, public std::enable_shared_from_this<DapSession> {
 public:
  // Reads from `in` and writes to `out` (the same socket for TCP).
  DapSession(std::shared_ptr<Server::Impl> srv, std::function<void()> on_close);
  void start_tcp(tcp::socket sock);
  void start_stdio();
  void close_after_flush() override;
  void interrupted(const std::string& report) override;

  // --- used by the request handlers (dap_*.cpp) ---
  Server::Impl& server() { return *srv_; }
  debugger::Debugger* dbg() { return srv_->dbg.get(); }
  void respond(int64_t request_seq, const std::string& command, json::value body = nullptr);
  void fail(int64_t request_seq, const std::string& command, const std::string& message,
            int id, const std::string& format, bool show_user = true);
  void event(const std::string& name, json::value body = nullptr);
  // An event whose body is already JSON text (a hit's output event).
  void event_with_body(std::string_view name, std::string_view body_json);
  void output(const std::string& category, const std::string& text,
              json::value extra = nullptr);

  // What a DAP breakpoint prints on a hit.
  struct BpPrint {
    enum class Kind { function, logpoint, source };
    Kind kind = Kind::function;
    std::vector<protocol::dap::Segment> message;  // logpoint template
    std::string source_name, source_path;
    int line = 0;
    int stack = 0;  // setTracepoints "stack": frames printed under each hit
  };
  std::map<int, BpPrint> prints;  // by debugger breakpoint id
  std::map<std::string, std::vector<int>> source_bps;  // by source path
  std::vector<int> function_bps;
  std::vector<int> tracepoint_bps;
  std::vector<int> console_bps;  // `dlv trace` in the Debug Console
  // Delve's `dlv config` parameters (its launch attributes of the same
  // names): kept and listed as Delve does; those about stopped goroutines
  // have nothing to act on in gotrace.
  struct ConsoleConfig {
    int64_t stack_trace_depth = 50;
    int64_t max_string_len = 0;
    int64_t max_array_values = 0;
    bool show_global_variables = false;
    bool show_registers = false;
    std::string goroutine_filters;
    std::vector<std::string> show_pprof_labels;
    bool hide_system_goroutines = false;
    std::vector<std::pair<std::string, std::string>> substitute_path;  // client -> server
    bool follow_exec = false;
    std::string follow_exec_regex;
    bool show_raw_strings = false;
  } console_config;
  std::map<int64_t, std::string> goroutines_seen;
  bool launched_here = false;  // this session created the debugger
  tracer::TempBuildOutput built;  // for mode debug/test; removed at the end
  // The client's local user (a loopback peer); nullopt for stdio and remote
  // peers. See client_user.h.
  std::optional<uid_t> client_uid;
  // Removes this session's breakpoints (another client may trace the same
  // functions next) and what it built.
  void release();
  bool said_never_stops = false;
  // Launch/attach "traceData": true: each hit's output event also carries
  // the hit as data (goroutine, function, typed values, duration, stack),
  // gotrace's addition; Delve's events have none, so by default neither.
  bool trace_data = false;
  bool configured = false;

  // After launch/attach: watch the program's output and the hits.
  void start_target_watch();
  // The owner id this session's breakpoints carry: their hits come straight
  // to this session (other clients' hits are theirs).
  int hit_owner();

 private:
  asio::awaitable<void> read_loop();
  asio::awaitable<void> write_loop();
  asio::awaitable<void> hit_loop();
  asio::awaitable<void> pipe_loop(int fd, std::string category);
  void dispatch(json::value message);
  void send(json::object msg);
  // Queues one framed message for the write loop.
  void queue(std::string frame);
  void close();
  void emit_hit(const debugger::Hit& h);
  void on_hit(const debugger::Hit& h);
  // Says how many hits were dropped, once the queue is down to half (or
  // at the end, however full it is).
  void say_dropped(bool however_full = false);
  void flush_hits();

  std::shared_ptr<Server::Impl> srv_;
  std::function<void()> on_close_;
  std::optional<tcp::socket> sock_;
  std::optional<asio::posix::stream_descriptor> in_, out_;
  std::deque<std::string> outq_;
  // A client that does not read must not grow the server without limit nor
  // slow the program: past this many queued bytes hits are dropped, counted
  // and said once the client catches up.
  static constexpr size_t kMaxQueuedBytes = 64u << 20;
  size_t outq_bytes_ = 0;
  // One gathered write takes at most this much of the queue.
  static constexpr size_t kMaxFramesPerWrite = 256;
  static constexpr size_t kMaxBytesPerWrite = 256u << 10;
  uint64_t dropped_hits_ = 0;
  int hit_owner_ = 0;
  debugger::Debugger* hit_owner_of_ = nullptr;
  asio::steady_timer out_signal_;
  int64_t seq_ = 0;
  bool closing_ = false;
  bool closed_ = false;
  bool watching_ = false;
};

std::shared_ptr<DapSession> make_dap_session(tcp::socket sock, std::shared_ptr<Server::Impl> srv,
                                             std::optional<uid_t> client_uid);
void start_dap_session(const std::shared_ptr<DapSession>& s);

// Clears the debugger breakpoints `ids` (and what they print); empties it.
void clear_breakpoints(DapSession& s, std::vector<int>& ids);
// The entry tracepoint (and, with `returns`, the return ones) of one
// function, their ids appended to `ids`; the entry one covers the copies the
// compiler inlined.
Result<debugger::Breakpoint> trace_function(DapSession& s, const std::string& fn, const std::string& cond,
                                            const std::string& hit_cond, bool returns, int stack,
                                            std::vector<int>& ids,
                                            const std::vector<protocol::dap::Segment>& message = {});

// Request handlers: each answers through the session.
using DapHandler = void (*)(DapSession&, int64_t seq, const json::object& args);
const std::map<std::string, DapHandler, std::less<>>& dap_handlers();
void add_dap_lifecycle(std::map<std::string, DapHandler, std::less<>>& t);    // dap_lifecycle.cpp
void add_dap_breakpoints(std::map<std::string, DapHandler, std::less<>>& t);  // dap_breakpoints.cpp
void add_dap_runtime(std::map<std::string, DapHandler, std::less<>>& t);      // dap_runtime.cpp
void add_dap_console(std::map<std::string, DapHandler, std::less<>>& t);      // dap_console.cpp

}  // namespace gotrace::headless
