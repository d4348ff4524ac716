// The SMSC simulator (smsc_simulator.h): an Asio server whose sessions read PDUs, check them
// field by field, and answer after the configured delay.
#include "tests/support/smsc_simulator.h"

#include <boost/asio.hpp>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

namespace rectify::test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr std::uint32_t kResp = 0x80000000;

std::string U32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}
std::string U16(std::uint16_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v)}; }

std::string Pdu(std::uint32_t id, std::uint32_t status, std::uint32_t seq,
                const std::string& body) {
  return U32(static_cast<std::uint32_t>(16 + body.size())) + U32(id) + U32(status) + U32(seq) +
         body;
}

// Reads a body; a field that does not fit records what was wrong.
struct Cursor {
  const std::string& b;
  std::size_t at = 0;
  std::string problem;
  int U8(const char* what) {
    if (at >= b.size()) {
      if (problem.empty()) problem = std::string("ends before ") + what;
      return 0;
    }
    return static_cast<unsigned char>(b[at++]);
  }
  std::string C(const char* what, std::size_t max) {
    std::size_t end = b.find('\0', at);
    if (end == std::string::npos) {
      if (problem.empty()) problem = std::string(what) + " has no terminating NUL";
      at = b.size();
      return {};
    }
    if (end - at + 1 > max && problem.empty()) {
      problem = std::string(what) + " is longer than " + std::to_string(max) + " octets";
    }
    std::string s = b.substr(at, end - at);
    at = end + 1;
    return s;
  }
};

std::string Utf16ToUtf8(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2) {
    std::uint32_t cp =
        (static_cast<unsigned char>(s[i]) << 8) | static_cast<unsigned char>(s[i + 1]);
    if (cp >= 0xD800 && cp < 0xDC00 && i + 3 < s.size()) {
      std::uint32_t lo =
          (static_cast<unsigned char>(s[i + 2]) << 8) | static_cast<unsigned char>(s[i + 3]);
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      i += 2;
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

}  // namespace

struct SmscSimulator::Impl {
  struct Session;

  Options options;
  Faults faults;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;
  mutable std::mutex mu;
  Stats stats;
  std::vector<Part> parts;
  std::map<std::string, std::string> by_dedup;  // "KEY#PART" -> message id
  std::vector<std::pair<std::string, std::string>> messages;
  std::vector<std::string> violations;
  std::deque<std::string> held_receipts;  // deliver_sm bodies for the next bind
  int next_id = 0x1000;
  std::set<std::shared_ptr<Session>> sessions;

  void Violation(std::string what) { violations.push_back(std::move(what)); }

  // A receipt for `part`'s message, as a deliver_sm body.
  std::string ReceiptBody(const Part& p, bool delivered) const {
    std::string stat = delivered ? "DELIVRD" : "UNDELIV";
    std::string text = "id:" + p.message_id + " sub:001 dlvrd:" + (delivered ? "001" : "000") +
                       " submit date:1705020800 done date:1705020801 stat:" + stat +
                       " err:" + (delivered ? "000" : "001") + " text:";
    std::string body;
    body += '\0';                    // service_type
    body += '\x01', body += '\x01';  // source ton/npi: the phone
    body += p.destination + '\0';
    body += '\x00', body += '\x00';  // dest ton/npi
    body += std::string("rectify") + '\0';
    body += '\x04';                  // esm_class: SMSC delivery receipt
    body += '\x00', body += '\x00';  // protocol_id, priority
    body += '\0', body += '\0';      // schedule, validity
    body += '\x00', body += '\x00', body += '\x00', body += '\x00';  // registered..sm_default
    body += static_cast<char>(text.size());
    body += text;
    if (!faults.receipt_in_text_only) {
      body += U16(0x001E) + U16(static_cast<std::uint16_t>(p.message_id.size() + 1)) +
              p.message_id + '\0';
      body += U16(0x0427) + U16(1) + static_cast<char>(delivered ? 2 : 5);
    }
    return body;
  }

  struct Session : std::enable_shared_from_this<Session> {
    Impl& sim;
    tcp::socket socket;
    std::string header, body;
    std::deque<std::string> out;
    bool writing = false, closed = false;
    bool bound = false, transceiver = false;
    std::uint32_t last_seq = 0, my_seq = 0;
    std::set<std::uint32_t> outstanding;           // submit_sm not yet answered
    std::map<std::uint32_t, std::string> unacked;  // deliver_sm seq -> body

    Session(Impl& s, tcp::socket sock) : sim(s), socket(std::move(sock)) {}

    void Start() { ReadHeader(); }

    void ReadHeader() {
      header.assign(16, '\0');
      auto self = shared_from_this();
      asio::async_read(
          socket, asio::buffer(header), [self](boost::system::error_code ec, std::size_t) {
            if (ec) return self->Close();
            const std::uint32_t len = self->Field(0);
            if (len < 16 || len > 65536) {
              {
                std::lock_guard lock(self->sim.mu);
                self->sim.Violation("a PDU with command_length " + std::to_string(len));
              }
              return self->Close();
            }
            self->body.assign(len - 16, '\0');
            asio::async_read(self->socket, asio::buffer(self->body),
                             [self](boost::system::error_code ec2, std::size_t) {
                               if (ec2) return self->Close();
                               self->Handle();
                               if (!self->closed) self->ReadHeader();
                             });
          });
    }

    std::uint32_t Field(int i) const {
      auto octet = [&](int k) {
        return std::uint32_t{static_cast<unsigned char>(header[i * 4 + k])};
      };
      return (octet(0) << 24) | (octet(1) << 16) | (octet(2) << 8) | octet(3);
    }

    // Queues `pdu` after the configured delay; an answer to a submit_sm (`answers` its sequence)
    // ends that submit's time outstanding then.
    void Send(std::string pdu, int delay_ms, std::optional<std::uint32_t> answers = {}) {
      auto self = shared_from_this();
      if (delay_ms <= 0) {
        if (answers) outstanding.erase(*answers);
        return Queue(std::move(pdu));
      }
      auto timer =
          std::make_shared<asio::steady_timer>(sim.io, std::chrono::milliseconds(delay_ms));
      timer->async_wait(
          [self, timer, answers, pdu = std::move(pdu)](boost::system::error_code) mutable {
            if (answers) {
              std::lock_guard lock(self->sim.mu);
              self->outstanding.erase(*answers);
            }
            self->Queue(std::move(pdu));
          });
    }
    void Queue(std::string pdu) {
      if (closed) return;
      out.push_back(std::move(pdu));
      if (!writing) WriteNext();
    }
    void WriteNext() {
      if (out.empty() || closed) {
        writing = false;
        return;
      }
      writing = true;
      auto self = shared_from_this();
      asio::async_write(socket, asio::buffer(out.front()),
                        [self](boost::system::error_code ec, std::size_t) {
                          if (ec) return self->Close();
                          self->out.pop_front();
                          self->WriteNext();
                        });
    }

    // With the lock held.
    void SendReceipt(const std::string& receipt_body) {
      if (closed || !bound) {
        sim.held_receipts.push_back(receipt_body);  // the session ended first: the next bind's
        return;
      }
      std::uint32_t seq = ++my_seq;
      unacked[seq] = receipt_body;
      ++sim.stats.receipts_sent;
      Queue(Pdu(0x00000005, 0, seq, receipt_body));
    }

    void Close() {
      if (closed) return;
      closed = true;
      boost::system::error_code ignored;
      socket.close(ignored);
      std::lock_guard lock(sim.mu);
      // An SMSC sends an unacknowledged receipt again at the next bind.
      for (auto& [seq, b] : unacked) sim.held_receipts.push_back(b);
      unacked.clear();
      sim.sessions.erase(shared_from_this());
    }

    void Handle() {
      std::unique_lock lock(sim.mu);
      const std::uint32_t id = Field(1), status = Field(2), seq = Field(3);
      const int delay = sim.faults.delay_ms;
      if (!(id & kResp)) {
        if (seq == 0 || seq > 0x7FFFFFFF) sim.Violation("sequence_number " + std::to_string(seq));
        if (seq <= last_seq && seq != 1) {
          sim.Violation("sequence_number " + std::to_string(seq) + " after " +
                        std::to_string(last_seq));
        }
        last_seq = seq;
        if (status != 0) sim.Violation("a request with command_status " + std::to_string(status));
      }
      Cursor c{body};
      switch (id) {
        case 0x00000002:
        case 0x00000009: {
          std::string system_id = c.C("system_id", 16);
          std::string password = c.C("password", 9);
          c.C("system_type", 13);
          int version = c.U8("interface_version");
          c.U8("addr_ton");
          c.U8("addr_npi");
          c.C("address_range", 41);
          if (!c.problem.empty() || c.at != body.size()) {
            sim.Violation("bind: " +
                          (c.problem.empty() ? "octets after address_range" : c.problem));
          }
          if (version != 0x34) sim.Violation("bind: interface_version " + std::to_string(version));
          if (bound) sim.Violation("bind on a bound session");
          ++sim.stats.binds;
          std::uint32_t answer = sim.faults.refuse_bind;
          if (!answer && system_id != sim.options.system_id) answer = 0x0F;
          if (!answer && password != sim.options.password) answer = 0x0E;
          if (answer) {
            ++sim.stats.refused_binds;
            lock.unlock();
            Queue(Pdu(id | kResp, answer, seq, ""));
            return;
          }
          bound = true;
          transceiver = id == 0x00000009;
          // At once (the delay is for submits and keep-alives), then the receipts it kept.
          Queue(Pdu(id | kResp, 0, seq, std::string("SMSC") + '\0'));
          if (transceiver) {
            std::deque<std::string> held;
            held.swap(sim.held_receipts);
            for (auto& r : held) SendReceipt(r);
          }
          return;
        }
        case 0x00000004: {
          if (!bound) sim.Violation("submit_sm before a bind");
          Part p;
          c.C("service_type", 6);
          c.U8("source_addr_ton");
          c.U8("source_addr_npi");
          std::string source = c.C("source_addr", 21);
          c.U8("dest_addr_ton");
          c.U8("dest_addr_npi");
          p.destination = c.C("destination_addr", 21);
          int esm = c.U8("esm_class");
          c.U8("protocol_id");
          c.U8("priority_flag");
          c.C("schedule_delivery_time", 17);
          c.C("validity_period", 17);
          p.registered_delivery = c.U8("registered_delivery");
          c.U8("replace_if_present_flag");
          p.data_coding = c.U8("data_coding");
          c.U8("sm_default_msg_id");
          int length = c.U8("sm_length");
          std::string sm;
          if (c.at + length > body.size()) {
            if (c.problem.empty()) c.problem = "sm_length runs past the PDU";
          } else {
            sm = body.substr(c.at, length);
            c.at += length;
          }
          while (c.problem.empty() && c.at < body.size()) {
            if (body.size() - c.at < 4) {
              c.problem = "a truncated optional parameter";
              break;
            }
            int tag = (static_cast<unsigned char>(body[c.at]) << 8) |
                      static_cast<unsigned char>(body[c.at + 1]);
            std::size_t len = (static_cast<unsigned char>(body[c.at + 2]) << 8) |
                              static_cast<unsigned char>(body[c.at + 3]);
            if (c.at + 4 + len > body.size()) {
              c.problem = "an optional parameter's length runs past the PDU";
              break;
            }
            if (tag == 0x1400) p.dedup = body.substr(c.at + 4, len);
            c.at += 4 + len;
          }
          if (!c.problem.empty()) sim.Violation("submit_sm: " + c.problem);
          if (source.empty()) sim.Violation("submit_sm: no source_addr");
          if (p.destination.empty() ||
              p.destination.find_first_not_of("0123456789") != std::string::npos) {
            sim.Violation("submit_sm: destination_addr '" + p.destination + "'");
          }
          if (p.data_coding != 8 && p.data_coding != 1 && p.data_coding != 0) {
            sim.Violation("submit_sm: data_coding " + std::to_string(p.data_coding));
          }
          if (length > 140) sim.Violation("submit_sm: sm_length " + std::to_string(length));
          std::string payload = sm;
          if (esm & 0x40) {
            // The UDH: length, IEI 0x00 (8-bit reference), 3, ref, total, number.
            if (sm.size() < 6 || sm[0] != 5 || sm[1] != 0 || sm[2] != 3) {
              sim.Violation("submit_sm: UDHI set without a concatenation UDH");
            } else {
              p.ref = static_cast<unsigned char>(sm[3]);
              p.total = static_cast<unsigned char>(sm[4]);
              p.number = static_cast<unsigned char>(sm[5]);
              if (p.number < 1 || p.number > p.total) {
                sim.Violation("submit_sm: part " + std::to_string(p.number) + " of " +
                              std::to_string(p.total));
              }
              payload = sm.substr(6);
            }
          } else if (sm.size() >= 3 && sm[0] == 5 && sm[1] == 0 && sm[2] == 3) {
            sim.Violation("submit_sm: a concatenation UDH without UDHI in esm_class");
          }
          if (p.data_coding == 8 && payload.size() % 2 != 0) {
            sim.Violation("submit_sm: UCS2 text of an odd length");
          }
          if (p.data_coding == 8 && !payload.empty()) {
            auto last = static_cast<unsigned char>(payload[payload.size() - 2]);
            if (last >= 0xD8 && last < 0xDC) sim.Violation("submit_sm: a part ends mid surrogate");
          }
          p.text = p.data_coding == 8 ? Utf16ToUtf8(payload) : payload;
          outstanding.insert(seq);
          sim.stats.max_outstanding =
              std::max(sim.stats.max_outstanding, static_cast<int>(outstanding.size()));
          if (static_cast<int>(outstanding.size()) > sim.options.window) {
            sim.Violation("more than " + std::to_string(sim.options.window) +
                          " submit_sm outstanding");
          }
          const int n = ++sim.stats.submits;
          if (sim.faults.cut_at_submit > 0 && n == sim.faults.cut_at_submit) {
            // Taken, as an SMSC may take it just before the line drops, but never answered.
            Take(p);
            ++sim.stats.cuts;
            lock.unlock();
            Close();
            return;
          }
          if (sim.faults.throttle_first > 0) {
            --sim.faults.throttle_first;
            ++sim.stats.throttled;
            lock.unlock();
            Send(Pdu(id | kResp, sim.faults.throttle_status, seq, ""), delay, seq);
            return;
          }
          bool repeat = false;
          std::string message_id = Take(p, &repeat);
          std::optional<std::string> receipt;
          if (p.registered_delivery & 1 && !repeat) {
            receipt =
                sim.ReceiptBody(sim.parts.back(), !sim.faults.unreachable.count(p.destination));
          }
          bool hold = sim.faults.hold_receipts || !transceiver;
          if (receipt && hold) sim.held_receipts.push_back(*receipt);
          lock.unlock();
          Send(Pdu(id | kResp, 0, seq, message_id + '\0'), delay, seq);
          if (receipt && !hold) {
            // After the answer, as an SMSC reports once the phone has it.
            auto self = shared_from_this();
            auto timer =
                std::make_shared<asio::steady_timer>(sim.io, std::chrono::milliseconds(delay + 5));
            timer->async_wait([self, timer, r = *receipt](boost::system::error_code) {
              std::lock_guard l(self->sim.mu);
              self->SendReceipt(r);
            });
          }
          return;
        }
        case 0x80000005: {
          auto it = unacked.find(seq);
          if (it == unacked.end()) {
            sim.Violation("deliver_sm_resp for sequence " + std::to_string(seq) +
                          ", which no deliver_sm had");
          } else if (status != 0) {
            // Refused for now (ESME_RX_T_APPN): kept for the next bind.
            sim.held_receipts.push_back(it->second);
            unacked.erase(it);
            ++sim.stats.receipts_refused;
          } else {
            unacked.erase(it);
            ++sim.stats.receipts_acked;
          }
          return;
        }
        case 0x00000015:
          ++sim.stats.enquire_links;
          if (!body.empty()) sim.Violation("enquire_link with a body");
          lock.unlock();
          Send(Pdu(0x80000015, 0, seq, ""), delay);
          return;
        case 0x80000015:
          return;
        case 0x00000006: {
          ++sim.stats.unbinds;
          if (sim.faults.receipts_at_unbind && transceiver) {
            std::deque<std::string> held;
            held.swap(sim.held_receipts);
            for (auto& r : held) SendReceipt(r);
          }
          bound = false;
          lock.unlock();
          Queue(Pdu(0x80000006, 0, seq, ""));
          return;
        }
        default:
          sim.Violation("command_id " + std::to_string(id));
          lock.unlock();
          Send(Pdu(0x80000000, 0x03, seq, ""), 0);
          return;
      }
    }

    // Records `p` (once per dedup key and part); its message id.
    std::string Take(Part& p, bool* repeat = nullptr) {
      if (!p.dedup.empty()) {
        if (auto it = sim.by_dedup.find(p.dedup); it != sim.by_dedup.end()) {
          ++sim.stats.repeats;
          if (repeat) *repeat = true;
          return it->second;
        }
      }
      char id[16];
      std::snprintf(id, sizeof id, "%X", sim.next_id++);
      p.message_id = id;
      if (!p.dedup.empty()) sim.by_dedup[p.dedup] = p.message_id;
      sim.parts.push_back(p);
      // A message is whole when every part of its reference and destination is there.
      if (p.ref < 0) {
        sim.messages.emplace_back(p.destination, p.text);
      } else {
        std::map<int, std::string> got;
        for (const Part& q : sim.parts) {
          if (q.ref == p.ref && q.destination == p.destination && q.total == p.total) {
            got[q.number] = q.text;
          }
        }
        if (static_cast<int>(got.size()) == p.total) {
          std::string text;
          for (auto& [k, t] : got) text += t;
          sim.messages.emplace_back(p.destination, text);
        }
      }
      return p.message_id;
    }
  };

  void Accept() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto s = std::make_shared<Session>(*this, std::move(socket));
      {
        std::lock_guard lock(mu);
        sessions.insert(s);
      }
      s->Start();
      Accept();
    });
  }
};

SmscSimulator::SmscSimulator(Options options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  tcp::endpoint at(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(at.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(at);
  impl_->acceptor.listen();
  impl_->Accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

SmscSimulator::~SmscSimulator() {
  asio::post(impl_->io, [this] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    std::set<std::shared_ptr<Impl::Session>> sessions;
    {
      std::lock_guard lock(impl_->mu);
      sessions = impl_->sessions;
    }
    for (auto& s : sessions) s->Close();
    impl_->io.stop();
  });
  impl_->thread.join();
}

int SmscSimulator::port() const { return impl_->acceptor.local_endpoint().port(); }

void SmscSimulator::SetFaults(Faults faults) {
  std::lock_guard lock(impl_->mu);
  impl_->faults = std::move(faults);
}

std::vector<SmscSimulator::Part> SmscSimulator::Parts() const {
  std::lock_guard lock(impl_->mu);
  return impl_->parts;
}

std::vector<std::pair<std::string, std::string>> SmscSimulator::Messages() const {
  std::lock_guard lock(impl_->mu);
  return impl_->messages;
}

SmscSimulator::Stats SmscSimulator::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

std::vector<std::string> SmscSimulator::Violations() const {
  std::lock_guard lock(impl_->mu);
  return impl_->violations;
}

bool SmscSimulator::WaitFor(const std::function<bool()>& done,
                            std::chrono::milliseconds limit) const {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace rectify::test
