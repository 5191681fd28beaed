// Who a DAP launch or attach acts for. A client of our own user acts as us.
// A client of another local user (possible only with --only-same-user=false)
// acts as that user: what it launches runs as them, and it may only name
// programs and processes they could run or trace themselves. A remote client
// has no local user; --allow-non-loopback, which let it in, warns that it
// acts as us.
#pragma once

#include "gotrace/support/result.h"
#include "gotrace/tracer/credentials.h"

#include <sys/types.h>

#include <optional>

namespace gotrace::headless {

// A loopback client whose socket's owner could not be found.
inline constexpr uid_t kUnknownLocalUser = static_cast<uid_t>(-1);

// nullopt: act as ourselves.
Result<std::optional<tracer::Credentials>> acting_user(std::optional<uid_t> client_uid);

}  // namespace gotrace::headless
