// The Delve 1.20.2 captures (shared/reference/delve/transcripts) replayed
// against gotrace: what Delve answered then, gotrace answers now (less what
// Delve added since, which rpc_delve_diff_test checks against 1.27.2).
#include "harness.h"
#include "rpc_transcript_replay.h"

#include <gtest/gtest.h>

namespace gotrace::itest {
namespace {

TEST(RpcTranscript, Jsonrpc01ConnectTraceContinueExit) {
  require_root();
  replay_transcript(kDelve120Transcripts + "jsonrpc-01-connect-trace-continue-exit.log", true, false);
}

TEST(RpcTranscript, Jsonrpc03RawMethodsAndErrors) {
  require_root();
  replay_transcript(kDelve120Transcripts + "jsonrpc-03-raw-methods-and-errors.log", true, true);
}

}  // namespace
}  // namespace gotrace::itest
