// The `email` kind: reads and checks its settings, builds an email channel (email_channel.h).
#include "adapters/notify/channels/email/email_plugin.h"

namespace rectify::notify::channels::email {
namespace {

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

std::shared_ptr<const ChannelSettings> Parse(SettingsReader& r) {
  auto s = std::make_shared<Settings>();
  EmailConfig& c = s->config;
  if (auto u = r.String("smtp_url", true)) {
    if (!StartsWith(*u, "smtp://") && !StartsWith(*u, "smtps://")) {
      r.Error("smtp_url", "'" + *u + "' is not an SMTP URL",
              "write smtp://host:port or smtps://host:port, e.g. smtp://127.0.0.1:2525");
    }
    c.smtp_url = *u;
  }
  if (auto f = r.String("from", true)) {
    if (f->find('@') == std::string::npos) {
      r.Error("from", "'" + *f + "' is not an email address",
              "write it as name@example.org or \"Name <name@example.org>\"");
    }
    c.from = *f;
  }
  c.username = r.String("username").value_or("");
  c.password = r.String("password").value_or("");
  if (!c.password.empty() && c.username.empty()) {
    r.Error("password", "a password without a username",
            "add username: ..., or remove the password");
  }
  if (auto t = r.Choice("starttls", {"none", "try", "required"})) {
    c.tls = *t == "required" ? EmailConfig::Tls::kRequired
            : *t == "try"    ? EmailConfig::Tls::kTry
                             : EmailConfig::Tls::kNone;
  }
  if (auto ca = r.String("ca_file")) {
    if (ca->empty()) {
      r.Error("ca_file", "ca_file is empty",
              "name a PEM file of the certificates to trust, or leave ca_file out to trust the "
              "system's");
    }
    c.ca_file = *ca;
  }
  ReadTimeoutMs(r, c.timeout_ms);
  return s;
}

}  // namespace

ChannelPlugin Plugin() {
  return {"email", Parse,
          [](const ChannelSpec& spec, const ChannelContext&) -> Result<std::unique_ptr<Channel>> {
            auto s = SettingsOf<Settings>(spec);
            if (!s) return s.error();
            return MakeEmailChannel((*s)->config);
          }};
}

}  // namespace rectify::notify::channels::email
