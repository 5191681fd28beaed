// What a fault may leave behind, checked from outside: eBPF programs and
// links of ours, breakpoints in the target's code, a target left stopped or
// traced.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace gotrace::itest {

// System-wide: programs named gotrace_probe, and the uprobe_multi links that
// attach them (bpftool v7.1 prints such a link as "type 12").
struct BpfCounts {
  int links = 0;
  int progs = 0;
  bool operator==(const BpfCounts&) const = default;
};
BpfCounts bpf_counts();
// Polls until the counts are no higher than `before` (the kernel frees a
// closed program after an RCU grace period, and other gotrace runs on the
// machine may end meanwhile); returns the last counts seen.
BpfCounts wait_bpf_counts_at_most(const BpfCounts& before, int timeout_ms = 10000);
std::string to_string(const BpfCounts& c);
// Fails the test unless the counts come back to `before` (or below: another
// run on the machine may have ended meanwhile).
void expect_bpf_back_to(const BpfCounts& before);

// BPF links `pid` holds open (its anon_inode:bpf_link fds; each attaches a
// tracepoint's probes): exact, whatever else runs on the machine.
int bpf_links_held(pid_t pid);

// Process state letter of /proc/PID/stat ('S', 'R', 't', ...), 0 if gone.
char proc_state(pid_t pid);

// Compares each function's bytes in the running process (/proc/PID/mem)
// with the executable file's bytes at the same addresses (non-PIE ELF,
// functions found in .symtab): "" when all are identical, else the first
// difference ("main.tick+0x0: file 0x49 memory 0xcc"). A uprobe and a
// ptrace int3 both show as 0xcc.
std::string text_diff(pid_t pid, const std::string& elf_path, const std::vector<std::string>& functions);

// A target that must outlive the fault: alive, not stopped (state T or t),
// not traced (TracerPid 0), its code as the file has it.
void expect_target_untouched(pid_t pid, const std::string& elf_path,
                             const std::vector<std::string>& functions);

}  // namespace gotrace::itest
