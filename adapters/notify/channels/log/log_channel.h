// The `log` channel: one JSON object a line per message on a stream (standard output by default),
// for a terminal, a log collector, or a test that reads what was sent.
//
//   LogChannel log(std::cout);
//   log.Send(message);   // {"dedup_key":"...","template":"reminder","recipient":"xs-0014",...}
//
// The line carries the dedup key, so a repeat after a crash is recognisable downstream. A stream in
// a failed state is a transient failure (kRetry).
//
// Thread-safety: one thread at a time. Ownership: borrows the stream, which must outlive it.
#pragma once

#include <memory>
#include <ostream>

#include "adapters/notify/channel.h"

namespace rectify::notify {

class LogChannel final : public Channel {
 public:
  explicit LogChannel(std::ostream& out) : out_(out) {}
  std::string kind() const override { return "log"; }
  SendResult Send(const Message& message) override;

 private:
  std::ostream& out_;
};

// The JSON line LogChannel writes (no newline).
std::string MessageJson(const Message& message);

}  // namespace rectify::notify
