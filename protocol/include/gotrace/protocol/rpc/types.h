// Delve 1.20.2 API v2 types (service/api) for the tracing subset, as plain
// structs with Delve's wire names (protocols.md §5).
//
// to_json() emits exactly Delve's keys in Delve's order, with Go's omitempty
// and nil rules: std::optional<std::vector<T>> is a Go slice that may be nil
// (null) or empty ([]); a plain std::vector marked omitempty is left out when
// empty; std::optional<Struct> is a Go pointer (null, or left out when
// omitempty). Serialize with json_write.h to get Go's string escaping.
//
// read_value()/from_json() follow json_read.h (partial objects, unknown keys
// ignored, case-insensitive names, errors naming the field path).
#pragma once

#include "gotrace/protocol/rpc/json_read.h"
#include "gotrace/support/result.h"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gotrace::protocol::rpc {

// Delve's load limits; -1 means unlimited.
struct LoadConfig {
  static constexpr const char* kTypeName = "LoadConfig";
  bool FollowPointers = false;
  std::int64_t MaxVariableRecurse = 0;
  std::int64_t MaxStringLen = 0;
  std::int64_t MaxArrayValues = 0;
  std::int64_t MaxStructFields = 0;
  friend bool operator==(const LoadConfig&, const LoadConfig&) = default;
};
// The terminal's ShortLoadConfig {false,0,64,0,3}: the client prints trace
// arguments only when a breakpoint's LoadArgs equals it.
inline constexpr LoadConfig kShortLoadConfig{false, 0, 64, 0, 3};

struct Breakpoint {
  static constexpr const char* kTypeName = "Breakpoint";
  std::int64_t id = 0;
  std::string name;
  std::uint64_t addr = 0;
  std::optional<std::vector<std::uint64_t>> addrs;    // null for addr-only (return) breakpoints
  std::optional<std::vector<std::int64_t>> addrpid;   // null when addrs is
  std::string file;
  std::int64_t line = 0;
  std::string functionName;  // omitempty
  std::string ExprString;
  std::string Cond;
  std::string HitCond;
  bool HitCondPerG = false;
  bool Tracepoint = false;  // wire name "continue"
  bool traceReturn = false;
  bool goroutine = false;
  std::int64_t stacktrace = 0;
  std::vector<std::string> variables;  // omitempty
  std::optional<LoadConfig> LoadArgs;
  std::optional<LoadConfig> LoadLocals;
  std::string WatchExpr;
  std::int64_t WatchType = 0;
  std::vector<std::string> VerboseDescr;  // omitempty
  // Goroutine id (decimal string) -> hits. Always serialized, {} when empty
  // (requests may send null; it reads as empty).
  std::map<std::string, std::uint64_t> hitCount;
  std::uint64_t totalHitCount = 0;
  bool disabled = false;
  // Delve 1.27: --follow-calls' root and depth, kept for the client.
  std::string RootFuncName;
  std::int64_t TraceFollowCalls = 0;
};

struct Function {
  static constexpr const char* kTypeName = "Function";
  std::string name;
  std::uint64_t value = 0;
  std::uint8_t type = 0;
  std::uint64_t goType = 0;
  bool optimized = false;
};

struct Location {
  static constexpr const char* kTypeName = "Location";
  std::uint64_t pc = 0;
  std::string file;
  std::int64_t line = 0;
  std::optional<Function> function;  // omitempty
  std::vector<std::uint64_t> pcs;    // omitempty
  std::vector<std::int64_t> pcpids;  // omitempty
};

// Variable.flags bits.
enum VariableFlags : std::uint16_t {
  kVarEscaped = 1,
  kVarShadowed = 2,
  kVarConstant = 4,
  kVarArgument = 8,
  kVarReturnArgument = 16,
  kVarFakeAddress = 32,
  kVarCPtr = 64,
  kVarCPURegister = 128,
};

struct Variable {
  static constexpr const char* kTypeName = "Variable";
  std::string name;
  std::uint64_t addr = 0;
  bool onlyAddr = false;
  std::string type;
  std::string realType;
  std::uint16_t flags = 0;
  std::uint64_t kind = 0;  // Go reflect.Kind
  std::string value;
  std::int64_t len = 0;
  std::int64_t cap = 0;
  std::vector<Variable> children;  // always an array, never null
  std::uint64_t base = 0;
  std::string unreadable;
  std::string LocationExpr;
  std::int64_t DeclLine = 0;
};

struct Defer {
  static constexpr const char* kTypeName = "Defer";
  Location DeferredLoc;
  Location DeferLoc;
  std::uint64_t SP = 0;
  std::string Unreadable;
};

struct Stackframe {
  static constexpr const char* kTypeName = "Stackframe";
  Location location;  // inlined: pc, file, line, function, pcs, pcpids
  std::optional<std::vector<Variable>> Locals;
  std::optional<std::vector<Variable>> Arguments;
  std::int64_t FrameOffset = 0;
  std::int64_t FramePointerOffset = 0;
  std::optional<std::vector<Defer>> Defers;
  bool Bottom = false;  // omitempty
  std::string Err;
};

struct Goroutine {
  static constexpr const char* kTypeName = "Goroutine";
  std::int64_t id = 0;
  Location currentLoc;
  Location userCurrentLoc;
  Location goStatementLoc;
  Location startLoc;
  std::int64_t threadID = 0;
  std::uint64_t status = 0;
  std::int64_t waitSince = 0;
  std::int64_t waitReason = 0;
  std::string unreadable;
  std::map<std::string, std::string> labels;  // omitempty
};

// Every key omitempty.
struct BreakpointInfo {
  static constexpr const char* kTypeName = "BreakpointInfo";
  std::vector<Stackframe> stacktrace;
  std::optional<Goroutine> goroutine;
  std::vector<Variable> variables;  // Breakpoint.variables, named by expression
  std::vector<Variable> arguments;  // with result parameters (flag 16)
  std::vector<Variable> locals;
};

struct Thread {
  static constexpr const char* kTypeName = "Thread";
  std::int64_t id = 0;  // OS thread id
  std::uint64_t pc = 0;
  std::string file;
  std::int64_t line = 0;
  std::optional<Function> function;              // omitempty
  std::int64_t goroutineID = 0;                  // 0: no goroutine
  std::optional<Breakpoint> breakPoint;          // omitempty
  std::optional<BreakpointInfo> breakPointInfo;  // omitempty
  std::optional<std::vector<Variable>> ReturnValues;
  bool CallReturn = false;
  // gotrace's addition (Delve's clients ignore unknown keys): on a
  // tracepoint's return hit, the call's duration when its entry was seen.
  std::optional<std::uint64_t> durationNs;  // omitempty
};

struct DebuggerState {
  static constexpr const char* kTypeName = "DebuggerState";
  std::int64_t Pid = 0;
  std::string TargetCommandLine;
  bool Running = false;
  bool Recording = false;
  bool CoreDumping = false;
  std::optional<Thread> currentThread;        // omitempty
  std::optional<Goroutine> currentGoroutine;  // omitempty
  std::optional<std::vector<Thread>> Threads;
  bool NextInProgress = false;
  std::optional<std::vector<Breakpoint>> WatchOutOfScope;
  bool exited = false;
  std::int64_t exitStatus = 0;
  std::string When;
  std::string stopReason;  // omitempty
};

// One GetBufferedTracepoints element.
struct TracepointResult {
  static constexpr const char* kTypeName = "TracepointResult";
  std::uint64_t addr = 0;  // Delve never fills it
  std::string file;
  std::int64_t line = 0;
  bool is_ret = false;
  std::string functionName;  // omitempty
  std::int64_t goroutineID = 0;
  std::vector<Variable> inputParams;   // omitempty
  std::vector<Variable> returnParams;  // omitempty
  std::optional<std::uint64_t> durationNs;  // gotrace's addition, as in Thread
};

struct DiscardedBreakpoint {
  static constexpr const char* kTypeName = "DiscardedBreakpoint";
  std::optional<rpc::Breakpoint> Breakpoint;
  std::string Reason;
};

struct EvalScope {
  static constexpr const char* kTypeName = "EvalScope";
  std::int64_t GoroutineID = 0;  // clients send -1 for the current goroutine
  std::int64_t Frame = 0;
  std::int64_t DeferredCall = 0;
};

// The params of RPCServer.Command (not wrapped in an "In" object).
struct DebuggerCommand {
  static constexpr const char* kTypeName = "DebuggerCommand";
  std::string name;                  // "continue", "halt", "next", ...
  std::int64_t threadID = 0;         // omitempty
  std::int64_t goroutineID = 0;      // omitempty
  std::optional<LoadConfig> ReturnInfoLoadConfig;
  std::string expr;                  // omitempty
  bool unsafeCall = false;           // omitempty
  bool WithEvents = false;           // HEAD client only; omitempty
};

boost::json::value to_json(const LoadConfig& v);
boost::json::value to_json(const Breakpoint& v);
boost::json::value to_json(const Function& v);
boost::json::value to_json(const Location& v);
boost::json::value to_json(const Variable& v);
boost::json::value to_json(const Defer& v);
boost::json::value to_json(const Stackframe& v);
boost::json::value to_json(const Goroutine& v);
boost::json::value to_json(const BreakpointInfo& v);
boost::json::value to_json(const Thread& v);
boost::json::value to_json(const DebuggerState& v);
boost::json::value to_json(const TracepointResult& v);
boost::json::value to_json(const DiscardedBreakpoint& v);
boost::json::value to_json(const EvalScope& v);
boost::json::value to_json(const DebuggerCommand& v);
// A Go slice: null when nullopt.
template <class T>
boost::json::value to_json(const std::optional<std::vector<T>>& v);
template <class T>
boost::json::value to_json(const std::vector<T>& v);

// What write_go_json(out, to_json(v)) appends, written directly (the
// replies that carry many hits).
void write_go_json(std::string& out, const Variable& v);
void write_go_json(std::string& out, const TracepointResult& v);

bool read_value(const boost::json::value& v, LoadConfig& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, Breakpoint& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, Function& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, Location& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, Variable& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, Defer& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, Stackframe& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, Goroutine& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, BreakpointInfo& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, Thread& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, DebuggerState& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, TracepointResult& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, DiscardedBreakpoint& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, EvalScope& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, DebuggerCommand& out, ReadContext& ctx);

// from_json<Breakpoint>(v): errors read "Breakpoint.line: expected integer, got string".
template <class T>
[[nodiscard]] Result<T> from_json(const boost::json::value& v) {
  return read_json<T>(v, T::kTypeName);
}

template <class T>
boost::json::value to_json(const std::vector<T>& v) {
  boost::json::array a;
  a.reserve(v.size());
  for (const auto& e : v) a.push_back(to_json(e));
  return a;
}

template <class T>
boost::json::value to_json(const std::optional<std::vector<T>>& v) {
  if (!v) return nullptr;
  return to_json(*v);
}

}  // namespace gotrace::protocol::rpc
