// The JSON-RPC method table: "RPCServer.<Name>" -> handler. Handlers live in
// files by subject (rpc_*.cpp); each returns the result object or an error
// message, which the session turns into Delve's response shape.
#pragma once

#include "rpc_session.h"

#include <map>
#include <string>

namespace gotrace::headless {

using Method = std::function<asio::awaitable<Reply>(RpcSession&, const json::object& params)>;
using MethodTable = std::map<std::string, Method, std::less<>>;

const MethodTable& rpc_methods();
// True for the other methods of Delve's API v2 (Eval, Stacktrace, ...), which
// gotrace answers with "not supported" rather than "unknown method".
bool is_delve_method(std::string_view name);

// Registration hooks, one per handler file.
void add_session_methods(MethodTable& t);     // rpc_session_methods.cpp
void add_location_methods(MethodTable& t);    // rpc_locations.cpp
void add_breakpoint_methods(MethodTable& t);  // rpc_breakpoints.cpp
void add_execution_methods(MethodTable& t);   // rpc_execution.cpp

inline Error rpc_error(std::string msg) { return make_error(Errc::invalid_argument, std::move(msg)); }

}  // namespace gotrace::headless
