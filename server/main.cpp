// gotrace: a headless trace server for Go programs. Subcommands follow dlv.
#include "commands.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr const char* kHelp =
    "gotrace traces Go programs with eBPF uprobes: every call of the functions you\n"
    "name, with goroutine, arguments and return values, without stopping the program.\n"
    "\n"
    "Usage:\n"
    "  gotrace trace [--exec BINARY | --pid PID | PACKAGE] REGEXP [-- ARGS...]\n"
    "  gotrace funcs BINARY [REGEXP]\n"
    "  gotrace exec --headless [--listen=HOST:PORT] [--accept-multiclient] BINARY [-- ARGS...]\n"
    "  gotrace attach --headless [--listen=HOST:PORT] [--accept-multiclient] PID\n"
    "  gotrace debug --headless [--listen=HOST:PORT] [--accept-multiclient] [PACKAGE]\n"
    "  gotrace dap [--listen=HOST:PORT | --stdio]\n"
    "\n"
    "trace flags (as dlv trace):\n"
    "  -e, --exec BINARY     trace a prebuilt binary\n"
    "  -p, --pid PID         trace a running process\n"
    "  -o, --output PATH     where to build PACKAGE (default: a temporary file)\n"
    "  -s, --stack N         show N stack frames per hit\n"
    "  -v, --verbose N       value detail 0..4\n"
    "      --timestamp       prefix each line with the time\n"
    "      --no-return       trace entries only (gotrace extension)\n"
    "      --ring-size BYTES kernel event ring size, a power of two (default 4 MiB)\n"
    "      --max-string-len N  bytes of each string to capture (default 64, max 1024)\n"
    "      --ebpf            accepted for dlv compatibility (eBPF is the default)\n"
    "\n"
    "server flags (exec, attach, debug --headless and dap):\n"
    "  -l, --listen HOST:PORT      where to listen (default 127.0.0.1:0; loopback only unless\n"
    "                              --allow-non-loopback, which warns)\n"
    "      --only-same-user BOOL   refuse local clients of other users (default true)\n"
    "      --max-message-size BYTES  largest request accepted (default 64 MiB)\n"
    "      --max-probes N          probe sites in place at once (default 20000)\n"
    "      --max-string-len N      bytes of each string captured (default 64, max 1024)\n"
    "      --ring-size BYTES       kernel event ring of each traced program (default 4 MiB)\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kHelp, args.empty() ? stderr : stdout);
    return args.empty() ? 1 : 0;
  }
  std::string cmd = args[0];
  args.erase(args.begin());
  if (cmd == "trace") return gotrace::cli::run_trace(args);
  if (cmd == "funcs") return gotrace::cli::run_funcs(args);
  if (cmd == "exec" || cmd == "attach" || cmd == "debug") return gotrace::cli::run_headless(cmd, args);
  if (cmd == "dap") return gotrace::cli::run_dap(args);
  std::fprintf(stderr, "Error: unknown command \"%s\" for \"gotrace\"\n%s", cmd.c_str(), kHelp);
  return 1;
}
