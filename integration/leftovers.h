// What a fault may leave behind, checked from outside: eBPF programs and
// links of ours, breakpoints in the target's code, a target left stopped or
// traced.
#pragma once

#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

namespace gotrace::itest {

// Where the machine's BPF ids stood when a test began. The kernel numbers
// programs and links upward (idr_alloc_cyclic), so whatever the test
// creates has a higher id than any that existed then.
struct BpfMark {
  int prog = 0;
  int link = 0;
};
BpfMark bpf_mark();

// Programs named gotrace_probe, and the uprobe_multi links that attach them
// (bpftool v7.1 prints such a link as "type 12"), created since `mark` and
// held by no running gotrace: what the test's gotrace left behind when it
// ended (pinned, or held by a process that inherited its fds). Another
// gotrace running beside the test holds its own, so tests can run in
// parallel. Their ids.
struct BpfLeft {
  std::set<int> progs;
  std::set<int> links;
  bool empty() const { return progs.empty() && links.empty(); }
};
BpfLeft bpf_left_since(const BpfMark& mark);
std::string to_string(const BpfLeft& left);
// Fails the test unless nothing is left since `mark` (polled: the kernel
// frees a closed program after an RCU grace period, and a gotrace starting
// beside the test holds its programs a moment after creating them).
void expect_no_bpf_left(const BpfMark& mark, int timeout_ms = 10000);

// The ids of the BPF programs `pid` holds, directly or through its links.
std::set<int> bpf_progs_held(pid_t pid);

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
