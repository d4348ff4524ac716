// An SMS centre for tests: a real SMPP 3.4 server on loopback (Asio, its own thread) that checks
// every PDU a client sends against the specification's layout, answers as an SMSC does, sends
// delivery receipts by deliver_sm, and plays the faults an operator's SMSC has. Its PDU reading is
// written here on its own, not shared with the channel's codec, so that a mistake in one is caught
// by the other.
//
//   SmscSimulator smsc({.system_id = "xsdcs", .password = "secret"});
//   ... a channel with host 127.0.0.1, port smsc.port() ...
//   smsc.WaitFor([&] { return smsc.Messages().size() == 2; });
//   EXPECT_THAT(smsc.Violations(), IsEmpty());
//
// Faults (Faults, changeable while it runs): refuse binds with a status; answer the first N
// submit_sm with ESME_RTHROTTLED (or ESME_RMSGQFUL); delay every answer; cut the connection when
// the Nth submit_sm arrives, before answering it and the others outstanding (it is taken, as an
// SMSC may have taken it before the cut); keep receipts for the next bind.
//
// Messages: one per dedup key (the optional parameter 0x1400, "KEY#PART"): a submit_sm repeating a
// key and part the SMSC took gets the same message id and is counted in Repeats(), not taken
// again; a submit_sm without the parameter is always taken. A message whose parts are all there
// is whole (its text joined, UCS2 decoded).
//
// Thread-safety: every public member may be called from the test's thread while it runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace rectify::test {

class SmscSimulator {
 public:
  struct Options {
    std::string system_id = "rectify";
    std::string password = "secret";
    int window = 10;  // more outstanding submit_sm than this is a violation
  };
  struct Faults {
    std::uint32_t refuse_bind = 0;  // a bind's status (0: accept)
    int throttle_first = 0;         // answer the first N submit_sm with `throttle_status`
    std::uint32_t throttle_status = 0x58;
    int delay_ms = 0;                 // before every answer to submit_sm and enquire_link
    int cut_at_submit = 0;            // close the connection when this submit_sm arrives (1-based)
    bool hold_receipts = false;       // send receipts only at the next bind
    bool receipts_at_unbind = false;  // send the kept receipts when an unbind comes
    std::set<std::string> unreachable;  // numbers whose receipt is UNDELIV
    bool receipt_in_text_only = false;  // no receipted_message_id/message_state parameters
  };
  // One submit_sm taken.
  struct Part {
    std::string message_id, destination, dedup, text;
    int data_coding = 0, registered_delivery = 0;
    int ref = -1, total = 1, number = 1;  // the concatenation UDH's, when there is one
  };
  struct Stats {
    int binds = 0, refused_binds = 0, submits = 0, throttled = 0, repeats = 0, cuts = 0,
        enquire_links = 0, receipts_sent = 0, receipts_acked = 0, receipts_refused = 0, unbinds = 0;
    int max_outstanding = 0;  // the most submit_sm the client had unanswered at once
  };

  explicit SmscSimulator(Options options);
  ~SmscSimulator();
  SmscSimulator(const SmscSimulator&) = delete;
  SmscSimulator& operator=(const SmscSimulator&) = delete;

  int port() const;
  void SetFaults(Faults faults);
  std::vector<Part> Parts() const;
  // The whole messages (every part there), as destination -> texts, in the order completed.
  std::vector<std::pair<std::string, std::string>> Messages() const;
  Stats stats() const;
  // Every departure from SMPP 3.4 seen ("submit_sm: data_coding 8 with an odd length"), empty
  // when the client spoke it right.
  std::vector<std::string> Violations() const;
  // Polls `done` until it holds or `limit` passes; its value.
  bool WaitFor(const std::function<bool()>& done,
               std::chrono::milliseconds limit = std::chrono::seconds(10)) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rectify::test
