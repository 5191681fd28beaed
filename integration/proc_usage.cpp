#include "proc_usage.h"

#include "harness.h"

#include <re2/re2.h>

#include <unistd.h>

#include <filesystem>
#include <sstream>

namespace gotrace::itest {

int open_fd_count(pid_t pid) {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec);
  if (ec) return -1;
  int n = 0;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) n++;
  return n;
}

long vm_rss_kb(pid_t pid) {
  for (const std::string& l : lines(slurp_file("/proc/" + std::to_string(pid) + "/status"))) {
    long kb = 0;
    if (RE2::FullMatch(l, R"(VmRSS:\s+(\d+) kB)", &kb)) return kb;
  }
  return -1;
}

long cpu_ms(pid_t pid) {
  std::string stat = slurp_file("/proc/" + std::to_string(pid) + "/stat");
  size_t rp = stat.rfind(')');
  if (rp == std::string::npos) return -1;
  // After the name: state is field 3; utime and stime are fields 14 and 15.
  std::stringstream ss(stat.substr(rp + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && ss >> field; i++) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return (utime + stime) * 1000 / sysconf(_SC_CLK_TCK);
}

}  // namespace gotrace::itest
