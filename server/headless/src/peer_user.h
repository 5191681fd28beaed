// Who is on the other end of a loopback TCP connection, like Delve's
// --only-same-user check: the kernel's socket table (/proc/net/tcp{,6})
// records the uid owning the client's socket.
#pragma once

#include <sys/types.h>

#include <boost/asio/ip/tcp.hpp>

#include <optional>

namespace gotrace::headless {

// The uid owning the client end of `peer` -> `local`, if it is found.
std::optional<uid_t> peer_uid(const boost::asio::ip::tcp::endpoint& local,
                              const boost::asio::ip::tcp::endpoint& peer);

}  // namespace gotrace::headless
