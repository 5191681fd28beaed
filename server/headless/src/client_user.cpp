#include "client_user.h"

#include <unistd.h>

namespace gotrace::headless {

Result<std::optional<tracer::Credentials>> acting_user(std::optional<uid_t> client_uid) {
  uid_t us = geteuid();
  if (!client_uid || *client_uid == us) return std::optional<tracer::Credentials>{};
  if (*client_uid == kUnknownLocalUser)
    return make_error(Errc::permission, "could not tell which local user the client is, so it may not launch or attach");
  // Without root we cannot take their identity, and acting as us would give
  // them our privileges.
  if (us != 0)
    return make_error(Errc::permission, "gotrace runs as uid " + std::to_string(us) +
                                            " and cannot act for a client of uid " +
                                            std::to_string(*client_uid) +
                                            ": only gotrace running as root launches or attaches for other users");
  auto c = tracer::credentials_of(*client_uid);
  if (!c) return c.error();
  return std::optional<tracer::Credentials>(std::move(*c));
}

}  // namespace gotrace::headless
