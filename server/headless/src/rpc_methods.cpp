#include "rpc_methods.h"

namespace gotrace::headless {

const MethodTable& rpc_methods() {
  static const MethodTable table = [] {
    MethodTable t;
    add_session_methods(t);
    add_location_methods(t);
    add_breakpoint_methods(t);
    add_execution_methods(t);
    return t;
  }();
  return table;
}

bool is_delve_method(std::string_view name) {
  static constexpr std::string_view kDelve[] = {
      "AncestorsInfo", "Checkpoint", "ClearCheckpoint", "CreateWatchpoint", "DebugInfoDirectories",
      "Disassemble", "DumpCancel", "DumpStart", "DumpWait", "Eval", "ExamineMemory",
      "FindLocation", "GetThread", "ListCheckpoints", "ListDynamicLibraries", "ListFunctionArgs",
      "ListGoroutines", "ListLocalVars", "ListPackageVars", "ListPackagesBuildInfo",
      "ListRegisters", "ListScopeLocalVars", "ListSources", "ListThreads", "ListTypes", "Set",
      "Stacktrace", "StopRecording", "BuildID", "CancelDownloads", "DownloadLibraryDebugInfo",
      "FollowExec", "GuessSubstitutePath", "ListTargets", "TypeInfo", "ListPackagesBuildInfo"};
  for (std::string_view d : kDelve)
    if (d == name) return true;
  return false;
}

}  // namespace gotrace::headless
