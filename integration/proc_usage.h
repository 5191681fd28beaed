// A process's resource use, sampled from /proc for the leak tests.
#pragma once

#include <sys/types.h>

namespace gotrace::itest {

int open_fd_count(pid_t pid);  // entries of /proc/PID/fd; -1 if gone
long vm_rss_kb(pid_t pid);     // VmRSS of /proc/PID/status; -1 if gone
long cpu_ms(pid_t pid);        // user + system time so far; -1 if gone

}  // namespace gotrace::itest
