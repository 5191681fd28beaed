// `gotrace trace --format=json`: one JSON object per event (JSON Lines), for
// CI jobs and scripts to assert on.
//
//   {"time":"2026-11-30T03:41:44.123456789Z","pid":123,"goroutine":1,
//    "function":"main.square","kind":"entry",
//    "args":[{"name":"n","type":"int","value":3,"text":"3"}]}
//   {... "kind":"return","results":[...],"args":[...],"duration_ns":1234}
//
// Each value carries its JSON form ("value": numbers, strings, booleans,
// objects for structs, arrays for slices and arrays, the target for
// pointers and interfaces, [key, value] pairs for maps, null when
// unreadable, with "unreadable": why), Delve's rendering ("text"), and for
// strings, slices, arrays, maps and channels "len" (and "cap"): "value"
// holds only the elements that were loaded.
#pragma once

#include "gotrace/tracer/event.h"

#include <optional>
#include <string>
#include <vector>

namespace gotrace::cli {

// One line, newline included. `args` are the call's arguments (for a
// return: from its entry, empty if the entry was not seen).
// `frame`: --follow-calls' frame number (Delve's goroutine(G):frame(D)).
// `function`: the name to report (an inlined copy's own, not its caller's).
std::string json_event_line(const tracer::TraceEvent& ev, const std::string& function,
                            const std::vector<values::Variable>& args,
                            std::optional<int> frame = std::nullopt);

}  // namespace gotrace::cli
