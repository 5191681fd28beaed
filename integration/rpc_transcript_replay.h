// Delve's JSON-RPC transcripts as tests: replayed against gotrace and
// compared answer by answer, or recorded anew from a live Delve.
#pragma once

#include <boost/json.hpp>

#include <string>

namespace gotrace::itest {

// Where the Delve 1.20.2 captures live (shared reference material).
inline const std::string kDelve120Transcripts = "/work/shared/reference/delve/transcripts/";

// Sends the client requests of `source` (a 1.20.2 transcript of fixture
// dlvprog-N) to the JSON-RPC server at 127.0.0.1:port, rewritten for the
// live program (addresses learned from its answers, prog.go:N as main.go:N+1),
// and writes the exchange to out_path in the transcripts' format.
bool record_transcript(const std::string& source, int port, const std::string& out_path, std::string* error);

// Replays the transcript at `path` against `gotrace exec --headless` on
// fixture dlvprog-N and compares every answer (gtest failures).
// `delve_1_20`: the transcript is a 1.20.2 capture (prog.go lines, and
// without what Delve added since).
void replay_transcript(const std::string& path, bool delve_1_20, bool multiclient);

// One answer of Delve's and gotrace's to the same request, compared with
// the replay's rules (what depends on the process masked): "" or a diff.
std::string compare_answers(const boost::json::value& delve, const boost::json::value& ours);

}  // namespace gotrace::itest
