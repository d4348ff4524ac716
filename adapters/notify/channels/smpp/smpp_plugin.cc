// The `smpp` kind: reads and checks its settings (smpp_plugin.h), builds an SMPP channel with the
// password from the environment.
#include "adapters/notify/channels/smpp/smpp_plugin.h"

#include <algorithm>
#include <cstdlib>

namespace rectify::notify::channels::smpp {
namespace {

bool IsEnvName(const std::string& s) {
  return !s.empty() && !(s[0] >= '0' && s[0] <= '9') && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// `key` as an int in [lo, hi], reported with `hint` otherwise.
void ReadRange(SettingsReader& r, std::string_view key, std::int64_t lo, std::int64_t hi,
               const std::string& hint, int& out) {
  auto v = r.Int(key);
  if (!v) return;
  if (*v < lo || *v > hi) {
    r.Error(key,
            std::string(key) + " must be from " + std::to_string(lo) + " to " + std::to_string(hi),
            hint);
    return;
  }
  out = static_cast<int>(*v);
}

// A C-octet string field of at most `max` characters (the specification's size less its NUL).
void ReadField(SettingsReader& r, std::string_view key, std::size_t max, bool required,
               std::string& out) {
  auto v = r.String(key, required);
  if (!v) return;
  if (v->size() > max) {
    r.Error(key, std::string(key) + " is longer than SMPP's " + std::to_string(max) + " characters",
            "write it as the SMSC's operator gave it");
    return;
  }
  out = *v;
}

std::shared_ptr<const ChannelSettings> Parse(SettingsReader& r) {
  auto s = std::make_shared<Settings>();
  SmppConfig& c = s->config;
  if (auto h = r.String("host", true)) {
    if (h->empty() || h->find_first_of(" /:") != std::string::npos) {
      r.Error("host", "'" + *h + "' is not a host name or address",
              "write the SMSC's host alone, e.g. host: 10.1.2.3, and its port as port:");
    }
    c.host = *h;
  }
  ReadRange(r, "port", 1, 65535, "SMPP's usual port is 2775", c.port);
  ReadField(r, "system_id", 15, true, c.system_id);
  ReadField(r, "system_type", 12, false, c.system_type);
  if (auto v = r.String("password_env", true)) {
    if (!IsEnvName(*v)) {
      r.Error("password_env", "'" + *v + "' is not an environment variable's name",
              "name the variable that holds it, e.g. RECTIFY_SMPP_PASSWORD: secrets never go in "
              "the file");
    }
    s->password_env = *v;
  }
  ReadField(r, "source_addr", 20, true, c.source_addr);
  ReadRange(r, "source_ton", 0, 6, "0 unknown, 1 international, 3 network specific, 5 alphanumeric",
            c.source_ton);
  ReadRange(r, "source_npi", 0, 18, "0 unknown, 1 ISDN (E.164)", c.source_npi);
  if (auto sign = r.String("sign_name")) c.sign_name = *sign;
  if (auto b = r.Choice("bind", {"transceiver", "transmitter"}))
    c.transceiver = *b == "transceiver";
  if (auto d = r.Choice("data_coding", {"ucs2", "ascii"})) c.ascii_as_ia5 = *d == "ascii";
  if (auto t = r.Choice("content", {"text", "subject"})) c.send_subject = *t == "subject";
  ReadRange(r, "window", 1, 100, "the outstanding submit_sm the SMSC allows, often 10", c.window);
  ReadRange(r, "throughput", 0, 1000, "submit_sm a second as the SMSC's contract says; 0: no limit",
            c.throughput);
  ReadRange(r, "enquire_link_s", 5, 3600, "for example enquire_link_s: 30", c.enquire_link_s);
  ReadRange(r, "backoff_ms", 10, 60000, "the first wait after ESME_RTHROTTLED, e.g. 500",
            c.backoff_ms);
  ReadRange(r, "max_parts", 1, 255, "a long text's parts, e.g. 6", c.max_parts);
  if (r.Has("dedup_tag")) {
    auto v = r.Int("dedup_tag");
    if (v && *v != 0 && (*v < 0x1400 || *v > 0x3FFF)) {
      r.Error("dedup_tag",
              "dedup_tag must be 0 or an SMSC-vendor tag from 5120 to 16383 "
              "(0x1400 to 0x3FFF)",
              "ask the SMSC's operator which tag it reads; 0 sends no dedup key");
    } else if (v) {
      c.dedup_tag = static_cast<int>(*v);
    }
  }
  ReadTimeoutMs(r, c.timeout_ms);
  if (auto how = r.Choice("receipts", {"none", "deliver"})) c.receipts = *how == "deliver";
  if (c.receipts && !c.transceiver) {
    if (r.Has("receipts")) {
      r.Error("receipts", "receipts come by deliver_sm, which a transmitter bind never gets",
              "write bind: transceiver, or receipts: none");
    } else {
      c.receipts = false;
    }
  }
  if (auto within = r.Int("receipt_within_s")) {
    if (*within <= 0) {
      r.Error("receipt_within_s", "receipt_within_s must be a positive number of seconds",
              "write how long a receipt may take, e.g. 7200 for two hours");
    }
    c.receipt_within_ms = *within * 1000;
  }
  return s;
}

}  // namespace

ChannelPlugin Plugin() {
  return {"smpp", Parse,
          [](const ChannelSpec& spec, const ChannelContext&) -> Result<std::unique_ptr<Channel>> {
            auto s = SettingsOf<Settings>(spec);
            if (!s) return s.error();
            SmppConfig c = (*s)->config;
            const char* password = std::getenv((*s)->password_env.c_str());
            if (!password || !*password) {
              return Error::FailedPrecondition(
                  "channel '" + spec.name + "' needs the environment variable " +
                  (*s)->password_env +
                  " (its SMPP password); set it before rectify dispatch or serve");
            }
            if (std::string(password).size() > 8) {
              return Error::FailedPrecondition("channel '" + spec.name + "': the password in " +
                                               (*s)->password_env +
                                               " is longer than SMPP's 8 characters");
            }
            c.password = password;
            return MakeSmppChannel(c);
          }};
}

}  // namespace rectify::notify::channels::smpp
