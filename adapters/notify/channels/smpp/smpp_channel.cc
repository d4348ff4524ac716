// The SMPP channel (smpp_channel.h): a bound session on Asio, driven synchronously by Send and
// PollReceipts with a deadline on every wait.
#include "adapters/notify/channels/smpp/smpp_channel.h"

#include <algorithm>
#include <boost/asio.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "adapters/notify/channels/smpp/smpp_pdu.h"
#include "adapters/notify/encoding.h"
#include "rectify/sha256.h"

namespace rectify::notify {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;
using std::chrono::milliseconds;

SteadyTime SteadyNow() { return std::chrono::steady_clock::now(); }

// The dedup key as it travels (at most 64 octets: a SHA-256 of a longer one).
std::string WireKey(const std::string& key) { return key.size() <= 64 ? key : Sha256Hex(key); }

class SmppChannel final : public Channel {
 public:
  explicit SmppChannel(SmppConfig config) : config_(std::move(config)) {}
  ~SmppChannel() override { Unbind(); }

  std::string kind() const override { return "smpp"; }
  std::int64_t receipt_within_ms() const override {
    return config_.receipts ? config_.receipt_within_ms : 0;
  }

  SendResult Send(const Message& message) override { return SendMany({message}).front(); }

  // Every part of every message through one window (smpp_channel.h): the parts go out in the
  // messages' order, and each message's result comes from its own parts' answers.
  bool sends_many_at_once() const override { return true; }

  std::vector<SendResult> SendMany(const std::vector<Message>& messages) override {
    const SteadyTime deadline = SteadyNow() + milliseconds(config_.timeout_ms);
    std::vector<SendResult> results(messages.size());
    std::vector<Job> jobs;
    // A key twice in one call (the dispatcher's rows have distinct keys) is sent once and both
    // get its result.
    std::map<std::string, std::size_t> first_of;
    std::vector<std::pair<std::size_t, std::size_t>> repeats;  // (index, index of the first)
    std::vector<std::size_t> order;  // retries whose parts carry a reference already, then others
    for (std::size_t i = 0; i < messages.size(); ++i) {
      if (auto [it, fresh] = first_of.emplace(messages[i].dedup_key, i); !fresh) {
        repeats.emplace_back(i, it->second);
      } else if (refs_.count(messages[i].dedup_key)) {
        order.push_back(i);
      }
    }
    for (std::size_t i = 0; i < messages.size(); ++i) {
      if (first_of.at(messages[i].dedup_key) == i && !refs_.count(messages[i].dedup_key)) {
        order.push_back(i);
      }
    }
    std::map<std::string, std::set<std::uint8_t>> used;
    for (std::size_t i : order) {
      Job job;
      job.index = i;
      job.message = &messages[i];
      if (std::optional<SendResult> bad = Prepare(messages[i], job, used)) {
        results[i] = std::move(*bad);
        continue;
      }
      jobs.push_back(std::move(job));
    }
    // The window takes the messages in the order given.
    std::sort(jobs.begin(), jobs.end(),
              [](const Job& a, const Job& b) { return a.index < b.index; });
    if (!jobs.empty()) RunWindow(jobs, results, deadline);
    for (const auto& [i, first] : repeats) results[i] = results[first];
    return results;
  }

  // The keep-alive: an enquire_link once the bound session has been idle for enquire_link_s (the
  // receipts it brings are kept); a session that does not answer is dropped and bound again at
  // the next use.
  void KeepAlive() override {
    if (!bound_ || SteadyNow() - last_io_ < std::chrono::seconds(config_.enquire_link_s)) return;
    std::string error;
    if (!EnquireLink(SteadyNow() + milliseconds(config_.timeout_ms), error)) Drop();
  }

  std::vector<PolledReceipt> PollReceipts(const std::vector<ReceiptQuery>& awaiting,
                                          std::int64_t now_ms, std::string& error) override {
    (void)awaiting;
    (void)now_ms;
    error.clear();
    if (!config_.receipts) return {};
    const SteadyTime deadline = SteadyNow() + milliseconds(config_.timeout_ms);
    // What the SMSC queued comes before the answer to an enquire_link sent after it.
    if (EnsureBound(deadline, error)) {
      std::uint32_t seq = NextSequence();
      if (Write({smpp::kEnquireLink, 0, seq, {}}, deadline, error)) {
        for (;;) {
          smpp::Pdu pdu;
          Io io = Read(pdu, deadline, error);
          if (io == Io::kTimeout) {
            error = "no answer to enquire_link within " + std::to_string(config_.timeout_ms) +
                    " ms; the receipts that came are kept";
            break;
          }
          if (io == Io::kError) break;
          if (pdu.command_id == (smpp::kEnquireLink | smpp::kRespBit) && pdu.sequence == seq) {
            break;
          }
          if (!HandleUnsolicited(pdu, deadline, error)) break;
        }
      }
    }
    std::vector<PolledReceipt> out;
    out.swap(receipts_);
    return out;
  }

 private:
  enum class Io { kOk, kTimeout, kError };

  // One message of a SendMany on its way through the window.
  struct Job {
    std::size_t index = 0;  // into the call's messages and results
    const Message* message = nullptr;
    std::string digits;  // the phone number
    bool international = false;
    std::vector<smpp::TextPart> parts;
    std::map<std::size_t, std::string>* taken = nullptr;  // accepted_[key]: part -> message id
    std::map<std::size_t, SteadyTime> not_before;         // part -> end of its throttle backoff
    std::map<std::size_t, int> throttled;                 // part -> times throttled
    std::string last_status;                              // the last throttling status
    bool done = false;                                    // its result is set
    std::uint8_t ref = 0;                                 // the concatenation reference
  };

  // The phone and the parts of a message, or its kFailed result when it cannot be sent.
  // `used`: the concatenation references of the long messages to each number in this call.
  std::optional<SendResult> Prepare(const Message& message, Job& job,
                                    std::map<std::string, std::set<std::uint8_t>>& used) const {
    std::string text =
        config_.send_subject || message.text.empty() ? message.subject : message.text;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    if (!config_.sign_name.empty()) text = "【" + config_.sign_name + "】" + text;
    for (char c : message.address) {
      if (c >= '0' && c <= '9') job.digits += c;
      if (c == '+' && job.digits.empty()) job.international = true;
    }
    if (job.digits.empty()) {
      return SendResult{SendOutcome::kFailed, "no phone number in '" + message.address + "'"};
    }
    if (text.empty()) return SendResult{SendOutcome::kFailed, "the message has no text"};
    std::string error;
    // The concatenation reference: a phone joins the parts of one message by it, so two long
    // messages to one number in the same window must not share it; a retry keeps the one its
    // taken parts carry (refs_), else it comes from the dedup key, moved past those in use.
    auto ref = static_cast<std::uint8_t>(
        std::stoi(Sha256Hex(message.dedup_key).substr(0, 2), nullptr, 16));
    std::set<std::uint8_t>& in_use = used[job.digits];
    if (auto kept = refs_.find(message.dedup_key); kept != refs_.end()) {
      ref = kept->second;
    } else {
      for (int k = 0; k < 255 && in_use.count(ref); ++k) ++ref;
    }
    auto parts = smpp::SplitText(text, config_.ascii_as_ia5, ref, &error);
    if (!parts) return SendResult{SendOutcome::kFailed, error};
    if (parts->size() > 1) in_use.insert(ref);
    job.ref = ref;
    if (static_cast<int>(parts->size()) > config_.max_parts) {
      return SendResult{SendOutcome::kFailed,
                        "the message needs " + std::to_string(parts->size()) +
                            " SMS parts, more than max_parts " + std::to_string(config_.max_parts) +
                            ": raise max_parts or send the subject (content: subject)"};
    }
    job.parts = std::move(*parts);
    return std::nullopt;
  }

  smpp::ShortMessage SubmitOf(const Job& job, std::size_t p) const {
    const std::size_t n = job.parts.size();
    smpp::ShortMessage sm;
    sm.source_ton = static_cast<std::uint8_t>(config_.source_ton);
    sm.source_npi = static_cast<std::uint8_t>(config_.source_npi);
    sm.source_addr = config_.source_addr;
    sm.dest_ton = job.international ? 1 : 0;
    sm.dest_npi = 1;
    sm.destination_addr = job.digits;
    sm.esm_class = job.parts[p].esm_class;
    sm.data_coding = job.parts[p].data_coding;
    sm.short_message = job.parts[p].octets;
    // The receipt of the last part stands for the message: a phone shows it whole only once
    // every part is there.
    sm.registered_delivery = config_.receipts && p + 1 == n ? 1 : 0;
    if (config_.dedup_tag > 0) {
      sm.tlvs.push_back({static_cast<std::uint16_t>(config_.dedup_tag),
                         WireKey(job.message->dedup_key) + "#" + std::to_string(p + 1)});
    }
    return sm;
  }

  // Sends the jobs' parts with up to `window` outstanding until each job has its result or the
  // deadline passes; sets results[job.index] for each.
  void RunWindow(std::vector<Job>& jobs, std::vector<SendResult>& results, SteadyTime deadline) {
    std::string error;
    // Answers that came since the last use (a submit_sm_resp too late for the attempt that sent
    // it marks its part taken, so that it is not sent again), and whether the SMSC hung up.
    if (bound_) DrainPending();
    if (!EnsureBound(deadline, error)) {
      for (Job& job : jobs) results[job.index] = {SendOutcome::kRetry, error};
      return;
    }
    std::size_t pending = 0;  // jobs without a result
    for (Job& job : jobs) {
      // Part index -> SMSC message id, kept across attempts of the same row (a cut mid-window).
      job.taken = &accepted_[job.message->dedup_key];
      refs_[job.message->dedup_key] = job.ref;
      if (job.taken->size() == job.parts.size()) {
        Finish(job, results);
      } else {
        ++pending;
      }
    }
    // Each job's result on a cut: the parts taken are kept for the retry.
    auto cut = [&](const std::string& why) {
      for (Job& job : jobs) {
        if (!job.done) results[job.index] = Cut(job.message->dedup_key, job.parts.size(), why);
      }
    };
    std::map<std::uint32_t, std::pair<std::size_t, std::size_t>> inflight;  // seq -> (job, part)
    std::set<std::pair<std::size_t, std::size_t>> outstanding;              // (job, part)
    std::size_t first_open = 0;  // jobs before it are done or have every part out or taken
    while (pending > 0) {
      SteadyTime now = SteadyNow();
      SteadyTime wake = deadline;
      // Fill the window, the messages in order.
      for (std::size_t j = first_open;
           j < jobs.size() && static_cast<int>(inflight.size()) < config_.window; ++j) {
        Job& job = jobs[j];
        bool all_out = true;  // every part of the job taken or outstanding
        bool throughput_wait = false;
        std::size_t p = 0;
        for (; !job.done && p < job.parts.size() &&
               static_cast<int>(inflight.size()) < config_.window;
             ++p) {
          if (job.taken->count(p) || outstanding.count({j, p})) continue;
          all_out = false;
          if (auto nb = job.not_before.find(p); nb != job.not_before.end() && nb->second > now) {
            wake = std::min(wake, nb->second);
            continue;
          }
          if (config_.throughput > 0 && next_submit_ > now) {
            wake = std::min(wake, next_submit_);
            throughput_wait = true;
            break;
          }
          std::uint32_t seq = NextSequence();
          if (!Write({smpp::kSubmitSm, 0, seq, smpp::EncodeShortMessage(SubmitOf(job, p))},
                     deadline, error)) {
            return cut(error);
          }
          inflight[seq] = {j, p};
          outstanding.insert({j, p});
          if (config_.throughput > 0) {
            next_submit_ = std::max(now, next_submit_) + milliseconds(1000 / config_.throughput);
          }
        }
        if (throughput_wait) break;
        if ((job.done || (all_out && p == job.parts.size())) && j == first_open) ++first_open;
      }
      if (inflight.empty() && wake >= deadline && SteadyNow() >= deadline) break;
      smpp::Pdu pdu;
      Io io = Read(pdu, wake, error);
      if (io == Io::kTimeout) {
        if (SteadyNow() >= deadline) break;
        continue;  // a backoff or the throughput limit ran out: submit again
      }
      if (io == Io::kError) return cut(error);
      auto it = inflight.find(pdu.sequence);
      if (it == inflight.end() || (pdu.command_id != (smpp::kSubmitSm | smpp::kRespBit) &&
                                   pdu.command_id != smpp::kGenericNack)) {
        if (!HandleUnsolicited(pdu, deadline, error)) return cut(error);
        continue;
      }
      const auto [j, p] = it->second;
      inflight.erase(it);
      outstanding.erase({j, p});
      Job& job = jobs[j];
      if (job.done) continue;  // a part of a message already refused
      const std::size_t n = job.parts.size();
      if (pdu.command_status == smpp::kEsmeRok && pdu.command_id != smpp::kGenericNack) {
        auto id = smpp::DecodeCStringBody(pdu.body);
        (*job.taken)[p] = id ? *id : "";
        if (job.taken->size() == n) {
          Finish(job, results);
          --pending;
        }
        continue;
      }
      job.last_status = smpp::StatusName(pdu.command_status);
      if (pdu.command_status == smpp::kEsmeRthrottled ||
          pdu.command_status == smpp::kEsmeRmsgqful) {
        // Only this part waits; the window goes on with the others.
        int k = std::min(++job.throttled[p], 6);
        job.not_before[p] = SteadyNow() + milliseconds(config_.backoff_ms) * (1 << (k - 1));
        first_open = std::min(first_open, j);
        continue;
      }
      std::string detail = "the SMSC refused part " + std::to_string(p + 1) + "/" +
                           std::to_string(n) + " to " + job.digits + ": " + job.last_status;
      if (!job.taken->empty()) detail += "; " + Taken(*job.taken, n);
      accepted_.erase(job.message->dedup_key);
      refs_.erase(job.message->dedup_key);
      job.taken = nullptr;
      job.done = true;
      --pending;
      results[job.index] = {SendOutcome::kFailed, detail};
    }
    // The deadline: the jobs not finished are retried by the dispatcher. Their unanswered parts
    // may yet be taken: their late answers are awaited on this session (DrainPending), and
    // resent they carry the same key.
    for (const auto& [seq, at] : inflight) {
      if (!jobs[at.first].done) late_[seq] = {jobs[at.first].message->dedup_key, at.second};
    }
    for (Job& job : jobs) {
      if (job.done) continue;
      std::string detail =
          !job.last_status.empty()
              ? "the SMSC was still busy (" + job.last_status + ") after " +
                    std::to_string(config_.timeout_ms) + " ms"
              : "no answer from the SMSC within " + std::to_string(config_.timeout_ms) + " ms";
      if (!job.taken->empty()) detail += "; " + Taken(*job.taken, job.parts.size());
      results[job.index] = {SendOutcome::kRetry, detail};
    }
  }

  // A job whose parts were all taken: delivered.
  void Finish(Job& job, std::vector<SendResult>& results) {
    SendResult ok{SendOutcome::kDelivered, "SMSC took it: " + Taken(*job.taken, job.parts.size())};
    ok.provider_ref = "smpp:" + job.taken->rbegin()->second;
    ok.receipt = config_.receipts ? ReceiptState::kSent : ReceiptState::kNone;
    accepted_.erase(job.message->dedup_key);
    refs_.erase(job.message->dedup_key);
    job.taken = nullptr;
    job.done = true;
    results[job.index] = std::move(ok);
  }

  static std::string Taken(const std::map<std::size_t, std::string>& taken, std::size_t n) {
    std::string out = std::to_string(taken.size()) + "/" + std::to_string(n) + " part(s), ids";
    for (const auto& [p, id] : taken) out += " " + std::to_string(p + 1) + ":" + id;
    return out;
  }

  SendResult Cut(const std::string& key, std::size_t n, const std::string& error) {
    std::string detail = error;
    auto it = accepted_.find(key);
    if (it != accepted_.end() && !it->second.empty()) {
      detail += "; kept for the retry: " + Taken(it->second, n);
    }
    return {SendOutcome::kRetry, detail};
  }

  std::uint32_t NextSequence() {
    seq_ = seq_ >= 0x7FFFFFFF ? 1 : seq_ + 1;
    return seq_;
  }

  // Runs the I/O context until `done` or `until`; on the deadline the socket's operations are
  // cancelled (their handlers run with operation_aborted) and false is returned.
  bool RunUntil(const bool& done, SteadyTime until) {
    io_.restart();
    while (!done) {
      if (io_.run_one_until(until) == 0 && !done) {
        boost::system::error_code ignored;
        socket_.cancel(ignored);
        io_.restart();
        while (!done) io_.run_one();
        return false;
      }
    }
    return true;
  }

  void Drop() {
    boost::system::error_code ignored;
    socket_.close(ignored);
    bound_ = false;
    inbuf_.clear();
    late_.clear();  // their answers can no longer come
  }

  // Handles what the SMSC sent while the channel was not reading, waiting a millisecond at most.
  void DrainPending() {
    std::string error;
    for (;;) {
      smpp::Pdu pdu;
      if (Read(pdu, SteadyNow() + milliseconds(1), error) != Io::kOk) return;
      if (!HandleUnsolicited(pdu, SteadyNow() + milliseconds(config_.timeout_ms), error)) return;
    }
  }

  bool Write(const smpp::Pdu& pdu, SteadyTime until, std::string& error) {
    std::string wire = smpp::EncodePdu(pdu);
    bool done = false;
    boost::system::error_code ec;
    asio::async_write(socket_, asio::buffer(wire), [&](boost::system::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    if (!RunUntil(done, until)) {
      error = "the SMSC took no data within " + std::to_string(config_.timeout_ms) + " ms";
      Drop();
      return false;
    }
    if (ec) {
      error = "lost the connection to the SMSC " + Peer() + ": " + ec.message();
      Drop();
      return false;
    }
    last_io_ = SteadyNow();
    return true;
  }

  // One whole PDU, or kTimeout at `until` (the session stays usable: nothing of a PDU is
  // consumed until all of it is there), or kError (the session is dropped).
  Io Read(smpp::Pdu& out, SteadyTime until, std::string& error) {
    for (;;) {
      if (auto len = smpp::PduLength(inbuf_)) {
        if (*len < smpp::kHeaderSize || *len > smpp::kMaxPduSize) {
          error = "the SMSC " + Peer() + " sent a PDU of " + std::to_string(*len) +
                  " octets, which is not SMPP";
          Drop();
          return Io::kError;
        }
        if (inbuf_.size() >= *len) {
          auto pdu = smpp::DecodePdu(std::string_view(inbuf_).substr(0, *len));
          inbuf_.erase(0, *len);
          out = std::move(*pdu);
          last_io_ = SteadyNow();
          return Io::kOk;
        }
      }
      char buf[4096];
      bool done = false;
      boost::system::error_code ec;
      std::size_t got = 0;
      socket_.async_read_some(asio::buffer(buf), [&](boost::system::error_code e, std::size_t k) {
        ec = e;
        got = k;
        done = true;
      });
      RunUntil(done, until);
      inbuf_.append(buf, got);
      if (ec == asio::error::operation_aborted) return Io::kTimeout;
      if (ec) {
        error = ec == asio::error::eof
                    ? "lost the connection to the SMSC " + Peer() + ": the SMSC closed it"
                    : "lost the connection to the SMSC " + Peer() + ": " + ec.message();
        Drop();
        return Io::kError;
      }
    }
  }

  std::string Peer() const { return config_.host + ":" + std::to_string(config_.port); }

  // Answers what the SMSC sends of its own accord; false when the session ended.
  bool HandleUnsolicited(const smpp::Pdu& pdu, SteadyTime until, std::string& error) {
    switch (pdu.command_id) {
      case smpp::kEnquireLink:
        return Write({smpp::kEnquireLink | smpp::kRespBit, 0, pdu.sequence, {}}, until, error);
      case smpp::kDeliverSm: {
        auto sm = smpp::DecodeShortMessage(pdu.body);
        // While unbinding, a receipt would be acknowledged and then lost with the channel:
        // ESME_RX_T_APPN asks the SMSC to deliver it again later (to the next session).
        std::uint32_t status = !sm ? smpp::kEsmeRinvmsglen : closing_ ? smpp::kEsmeRxTAppn : 0;
        if (sm && !closing_) {
          if (auto r = smpp::ParseReceipt(*sm); r && r->final) {
            PolledReceipt p;
            p.provider_ref = "smpp:" + r->message_id;
            p.state = r->delivered ? ReceiptState::kDelivered : ReceiptState::kFailed;
            p.code = r->err.empty() ? r->stat : r->stat + " err:" + r->err;
            p.detail =
                sm->data_coding == 8 ? smpp::Ucs2ToUtf8(sm->short_message) : sm->short_message;
            receipts_.push_back(std::move(p));
          }
        }
        // A message from a phone (not a receipt) is answered too: it is not ours to refuse.
        return Write(
            {smpp::kDeliverSm | smpp::kRespBit, status, pdu.sequence, smpp::EncodeCString("")},
            until, error);
      }
      case smpp::kUnbind:
        Write({smpp::kUnbind | smpp::kRespBit, 0, pdu.sequence, {}}, until, error);
        error = "the SMSC " + Peer() + " ended the session (unbind)";
        Drop();
        return false;
      default:
        if (pdu.command_id == (smpp::kSubmitSm | smpp::kRespBit)) {
          // The late answer to a part of an attempt that gave up waiting: taken, or not.
          if (auto it = late_.find(pdu.sequence); it != late_.end()) {
            auto id = smpp::DecodeCStringBody(pdu.body);
            if (pdu.command_status == smpp::kEsmeRok && id) {
              accepted_[it->second.first][it->second.second] = *id;
            }
            late_.erase(it);
          }
          return true;
        }
        if (pdu.command_id & smpp::kRespBit) return true;  // a late answer: nothing waits for it
        return Write({smpp::kGenericNack, smpp::kEsmeRinvcmdid, pdu.sequence, {}}, until, error);
    }
  }

  bool Connect(SteadyTime until, std::string& error) {
    Drop();
    boost::system::error_code ec;
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(config_.host, std::to_string(config_.port), ec);
    if (ec) {
      error = "cannot resolve the SMSC's host '" + config_.host + "': " + ec.message();
      return false;
    }
    bool done = false;
    asio::async_connect(socket_, endpoints, [&](boost::system::error_code e, const tcp::endpoint&) {
      ec = e;
      done = true;
    });
    if (!RunUntil(done, until)) {
      error = "no connection to the SMSC " + Peer() + " within " +
              std::to_string(config_.timeout_ms) + " ms";
      Drop();
      return false;
    }
    if (ec) {
      error = "cannot connect to the SMSC " + Peer() + ": " + ec.message();
      Drop();
      return false;
    }
    socket_.set_option(tcp::no_delay(true), ec);
    return true;
  }

  bool EnsureBound(SteadyTime until, std::string& error) {
    if (bound_ && SteadyNow() - last_io_ >= std::chrono::seconds(config_.enquire_link_s)) {
      // Idle for the keep-alive's interval: is the session still there?
      if (!EnquireLink(until, error)) Drop();
    }
    if (bound_) return true;
    if (!Connect(until, error)) return false;
    smpp::Bind b;
    b.system_id = config_.system_id;
    b.password = config_.password;
    b.system_type = config_.system_type;
    std::uint32_t seq = NextSequence();
    std::uint32_t command = config_.transceiver ? smpp::kBindTransceiver : smpp::kBindTransmitter;
    if (!Write({command, 0, seq, smpp::EncodeBind(b)}, until, error)) return false;
    for (;;) {
      smpp::Pdu pdu;
      Io io = Read(pdu, until, error);
      if (io == Io::kTimeout) {
        error = "the SMSC " + Peer() + " did not answer the bind within " +
                std::to_string(config_.timeout_ms) + " ms";
        Drop();
        return false;
      }
      if (io == Io::kError) return false;
      if (pdu.command_id == (command | smpp::kRespBit) || pdu.command_id == smpp::kGenericNack) {
        if (pdu.command_status == smpp::kEsmeRok && pdu.command_id != smpp::kGenericNack) break;
        error = "the SMSC " + Peer() + " refused the bind as system_id '" + config_.system_id +
                "': " + smpp::StatusName(pdu.command_status) +
                "; check system_id, the password's environment variable and system_type with "
                "the SMSC's operator";
        Drop();
        return false;
      }
      if (!HandleUnsolicited(pdu, until, error)) return false;
    }
    bound_ = true;
    return true;
  }

  bool EnquireLink(SteadyTime until, std::string& error) {
    std::uint32_t seq = NextSequence();
    if (!Write({smpp::kEnquireLink, 0, seq, {}}, until, error)) return false;
    for (;;) {
      smpp::Pdu pdu;
      if (Read(pdu, until, error) != Io::kOk) return false;
      if (pdu.command_id == (smpp::kEnquireLink | smpp::kRespBit) && pdu.sequence == seq) {
        return true;
      }
      if (!HandleUnsolicited(pdu, until, error)) return false;
    }
  }

  void Unbind() {
    if (!bound_) return;
    closing_ = true;
    std::string error;
    SteadyTime until = SteadyNow() + milliseconds(std::min(config_.timeout_ms, 1000));
    std::uint32_t seq = NextSequence();
    if (Write({smpp::kUnbind, 0, seq, {}}, until, error)) {
      for (;;) {
        smpp::Pdu pdu;
        if (Read(pdu, until, error) != Io::kOk) break;
        if (pdu.command_id == (smpp::kUnbind | smpp::kRespBit)) break;
        if (!HandleUnsolicited(pdu, until, error)) break;
      }
    }
    Drop();
  }

  SmppConfig config_;
  asio::io_context io_;
  tcp::socket socket_{io_};
  std::string inbuf_;
  bool bound_ = false;
  bool closing_ = false;
  std::uint32_t seq_ = 0;
  SteadyTime last_io_{};
  SteadyTime next_submit_{};
  std::vector<PolledReceipt> receipts_;
  std::map<std::string, std::map<std::size_t, std::string>> accepted_;
  // Dedup key -> the concatenation reference its parts were sent with (kept as accepted_ is).
  std::map<std::string, std::uint8_t> refs_;
  // Sequence -> (dedup key, part) of the submit_sm an attempt stopped waiting for.
  std::map<std::uint32_t, std::pair<std::string, std::size_t>> late_;
};

}  // namespace

std::unique_ptr<Channel> MakeSmppChannel(const SmppConfig& config) {
  return std::make_unique<SmppChannel>(config);
}

}  // namespace rectify::notify
