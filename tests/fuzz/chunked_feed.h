// Feeds a fuzz input to a stream decoder (DAP's FrameDecoder, JSON-RPC's
// StreamDecoder) in two reads split where its first byte says, as a socket
// may deliver it, and hands every decoded message to `on_message`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

template <class Decoder, class Fn>
void feed_in_two_reads(Decoder& decoder, const uint8_t* data, size_t size, Fn on_message) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t cut = size ? data[0] % (size + 1) : 0;
  for (std::string_view chunk : {in.substr(0, cut), in.substr(cut)}) {
    decoder.feed(chunk);
    for (;;) {
      auto m = decoder.next();
      if (!m || !*m) break;
      on_message(**m);
    }
  }
}
