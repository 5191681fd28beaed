// Acting for another user: the kernel's answers, asked from a child that
// took the user's identity (needs root to take it; nobody is uid 65534).
#include "gotrace/tracer/credentials.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace gotrace::tracer {
namespace {

Credentials nobody() {
  auto c = credentials_of(65534);
  EXPECT_TRUE(c.has_value());
  return c ? *c : Credentials{};
}

TEST(Credentials, AUserFromTheDatabases) {
  Credentials c = nobody();
  EXPECT_EQ(c.uid, 65534u);
  EXPECT_EQ(c.gid, 65534u);
  EXPECT_EQ(c.name, "nobody");
  EXPECT_EQ(c.home, "/nonexistent");
  EXPECT_EQ(c.groups, std::vector<gid_t>{65534});
}

TEST(Credentials, AUidWithoutAnEntryActsAsItsNumber) {
  auto c = credentials_of(54321);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->uid, 54321u);
  EXPECT_EQ(c->gid, 54321u);
  EXPECT_EQ(c->name, "");
  EXPECT_TRUE(c->groups.empty());
}

TEST(Credentials, AccessIsWhatTheKernelSaysForThem) {
  ASSERT_EQ(geteuid(), 0u) << "taking another user's identity needs root";
  Credentials c = nobody();
  EXPECT_TRUE(check_access_as(c, "/bin/true", R_OK | X_OK).has_value());
  auto shadow = check_access_as(c, "/etc/shadow", R_OK);
  ASSERT_FALSE(shadow.has_value());
  EXPECT_EQ(shadow.error().code, Errc::permission);
  EXPECT_EQ(shadow.error().message, "nobody (uid 65534) may not read /etc/shadow: Permission denied");
  auto missing = check_access_as(c, "/no/such/program", X_OK);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, Errc::not_found);
  EXPECT_EQ(missing.error().message, "nobody (uid 65534) may not run /no/such/program: No such file or directory");
  // A uid with no entry: only what is open to everyone.
  auto stranger = credentials_of(54321);
  ASSERT_TRUE(stranger.has_value());
  auto root_only = check_access_as(*stranger, "/root", X_OK);
  ASSERT_FALSE(root_only.has_value());
  EXPECT_EQ(root_only.error().message, "uid 54321 may not run /root: Permission denied");
}

TEST(Credentials, PtraceIsWhatTheKernelSaysForThem) {
  ASSERT_EQ(geteuid(), 0u) << "taking another user's identity needs root";
  Credentials c = nobody();
  auto us = check_ptrace_as(c, getpid());
  ASSERT_FALSE(us.has_value());
  EXPECT_EQ(us.error().code, Errc::permission);
  EXPECT_EQ(us.error().message,
            "nobody (uid 65534) may not trace process " + std::to_string(getpid()) + ": Permission denied");
  auto gone = check_ptrace_as(c, 999999999);
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().message, "no process with pid 999999999");
  Credentials root = *credentials_of(0);
  EXPECT_TRUE(check_ptrace_as(root, getpid()).has_value());
}

}  // namespace
}  // namespace gotrace::tracer
