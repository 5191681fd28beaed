// Acting for another local user. A server running as root may serve a DAP
// client of another uid (--only-same-user=false): what that client launches
// runs as that client, and it may only name programs it could run and
// processes it could trace itself. Each check runs in a forked child that
// has dropped to the user's credentials, so the kernel decides (path search
// permissions, ACLs, ptrace access rules), not a copy of its rules here.
#pragma once

#include "gotrace/support/result.h"

#include <sys/types.h>

#include <string>
#include <vector>

namespace gotrace::tracer {

struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary, from the group database
  std::string name;           // login name, for messages and USER/LOGNAME
  std::string home;           // HOME for what runs as them
};

// The user `uid` as the password and group databases know it; a uid with no
// entry acts with its own number as gid and no supplementary groups.
Result<Credentials> credentials_of(uid_t uid);

// In a child (after fork): takes `c`'s identity for good. Async-signal-safe.
// Returns false (errno set) if the kernel refused.
bool become(const Credentials& c);

// Whether `c` could open `path` for `mode` (access(2)'s R_OK/W_OK/X_OK), as
// the kernel answers for them; the error names the user, path and reason.
Result<void> check_access_as(const Credentials& c, const std::string& path, int mode);

// Whether `c` could ptrace-attach to `pid`: opening /proc/PID/mem needs
// exactly that permission (PTRACE_MODE_ATTACH), without attaching.
Result<void> check_ptrace_as(const Credentials& c, pid_t pid);

}  // namespace gotrace::tracer
