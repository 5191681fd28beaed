#include "peer_user.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

namespace gotrace::headless {
namespace {

// /proc/net/tcp prints each address as the raw in-memory bytes of the
// address, 32-bit words in host order, then ":PORT" in hex.
std::string proc_address(const boost::asio::ip::tcp::endpoint& ep) {
  char buf[64];
  std::string out;
  if (ep.address().is_v4()) {
    auto b = ep.address().to_v4().to_bytes();
    uint32_t w;
    std::memcpy(&w, b.data(), 4);
    std::snprintf(buf, sizeof buf, "%08X", w);
    out = buf;
  } else {
    auto b = ep.address().to_v6().to_bytes();
    for (int i = 0; i < 16; i += 4) {
      uint32_t w;
      std::memcpy(&w, b.data() + i, 4);
      std::snprintf(buf, sizeof buf, "%08X", w);
      out += buf;
    }
  }
  std::snprintf(buf, sizeof buf, ":%04X", ep.port());
  return out + buf;
}

}  // namespace

std::optional<uid_t> peer_uid(const boost::asio::ip::tcp::endpoint& local,
                              const boost::asio::ip::tcp::endpoint& peer) {
  // The client's socket: its local address is our peer, its remote is us.
  std::string want_local = proc_address(peer), want_remote = proc_address(local);
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream f(table);
    std::string line;
    std::getline(f, line);  // header
    while (std::getline(f, line)) {
      char l[64], r[64];
      unsigned uid = 0;
      // sl local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid
      if (std::sscanf(line.c_str(), " %*d: %63s %63s %*x %*x:%*x %*x:%*x %*x %u", l, r, &uid) != 3)
        continue;
      if (want_local == l && want_remote == r) return static_cast<uid_t>(uid);
    }
  }
  return std::nullopt;
}

}  // namespace gotrace::headless
