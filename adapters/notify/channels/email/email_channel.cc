#include "adapters/notify/channels/email/email_channel.h"

#include <date/date.h>

#include <chrono>
#include <cstring>

#include "adapters/notify/curl_transfer.h"
#include "adapters/notify/encoding.h"
#include "rectify/clock.h"
#include "rectify/sha256.h"

namespace rectify::notify {

namespace {

using internal::Base64;
using internal::EncodeHeaderWords;

struct Mailbox {
  std::string name;     // display name, may be empty
  std::string address;  // local@domain
};

// "Name <addr>" or "addr".
Mailbox ParseMailbox(const std::string& text) {
  auto open = text.rfind('<');
  auto close = text.rfind('>');
  if (open == std::string::npos || close == std::string::npos || close < open) {
    return {"", text};
  }
  std::string name = text.substr(0, open);
  while (!name.empty() && name.back() == ' ') name.pop_back();
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
  }
  return {name, text.substr(open + 1, close - open - 1)};
}

// One '@' with something on both sides, and nothing that could break the SMTP dialogue or a
// header (spaces, controls, angle brackets, commas).
bool IsPlainAddress(const std::string& address) {
  auto at = address.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == address.size()) return false;
  if (address.find('@', at + 1) != std::string::npos) return false;
  for (char c : address) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '<' || c == '>' || c == ',' || c == ';' || c == '"') {
      return false;
    }
  }
  return true;
}

// `prefix` is what comes before the mailbox on its header line ("From: "), to keep lines short.
std::string FormatMailbox(const Mailbox& m, std::size_t prefix) {
  if (m.name.empty()) return "<" + m.address + ">";
  std::string name = m.name;
  if (internal::IsPrintableAscii(name)) {
    std::string quoted = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    return quoted + "\" <" + m.address + ">";
  }
  std::string words = EncodeHeaderWords(name);
  std::size_t nl = words.rfind('\n');
  std::size_t last_line = nl == std::string::npos ? prefix + words.size() : words.size() - nl - 1;
  // Fold before the address rather than pass 76 characters (RFC 2047 section 2).
  const char* space = last_line + 3 + m.address.size() > 76 ? "\r\n " : " ";
  return words + space + "<" + m.address + ">";
}

// RFC 5322 date-time in UTC from an ISO 8601 instant; other text is used as it is (no CR/LF).
std::string DateHeader(const std::string& value) {
  auto t = ParseIso(value);
  if (!t) {
    std::string clean;
    for (char c : value) {
      if (c != '\r' && c != '\n') clean += c;
    }
    return clean;
  }
  auto seconds = std::chrono::floor<std::chrono::seconds>(*t);
  return date::format("%a, %d %b %Y %H:%M:%S +0000", seconds);
}

std::string Part(const std::string& type, const std::string& body) {
  return "Content-Type: " + type +
         "; charset=UTF-8\r\n"
         "Content-Transfer-Encoding: base64\r\n"
         "\r\n" +
         Base64(body, 76);
}

// Feeds the message to libcurl.
struct Upload {
  const std::string* data;
  std::size_t pos = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  std::size_t n = std::min(size * count, up->data->size() - up->pos);
  std::memcpy(buffer, up->data->data() + up->pos, n);
  up->pos += n;
  return n;
}

// The server's answer worth reporting: the last error answer (4xx, 5xx) if there was one, else
// the last line ("250 2.0.0 queued"). libcurl says QUIT after a refusal, so the last line alone
// would be "221 Bye".
std::string LastAnswer(const std::string& lines) {
  std::string last, last_error;
  std::size_t start = 0;
  while (start < lines.size()) {
    std::size_t end = lines.find('\n', start);
    if (end == std::string::npos) end = lines.size();
    std::string line = lines.substr(start, end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
    if (!line.empty()) last = line;
    if (!line.empty() && (line[0] == '4' || line[0] == '5')) last_error = line;
    start = end + 1;
  }
  return last_error.empty() ? last : last_error;
}

class EmailChannel : public Channel {
 public:
  explicit EmailChannel(EmailConfig config) : config_(std::move(config)), handle_() {}

  std::string kind() const override { return "email"; }

  SendResult Send(const Message& message) override {
    if (!IsPlainAddress(message.address)) {
      return {SendOutcome::kFailed, "bad address: '" + message.address + "'"};
    }
    Mailbox from = ParseMailbox(config_.from);
    if (!IsPlainAddress(from.address)) {
      return {SendOutcome::kFailed, "bad sender address in the channel: '" + config_.from + "'"};
    }
    if (!handle_) handle_ = internal::NewHandle();
    if (!handle_) return {SendOutcome::kRetry, "curl: could not create a handle"};
    CURL* h = handle_.get();
    curl_easy_reset(h);  // keeps the connection cache

    std::string body = FormatEmail(config_, message);
    Upload upload{&body};
    std::string peer;
    char error[CURL_ERROR_SIZE] = {};
    internal::Slist rcpt;
    internal::Append(rcpt, "<" + message.address + ">");

    internal::SetCommonOptions(h, config_.timeout_ms, &peer);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(h, CURLOPT_URL, config_.smtp_url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    std::string mail_from = "<" + from.address + ">";
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt.get());
    curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadUpload);
    curl_easy_setopt(h, CURLOPT_READDATA, &upload);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    // Bounds the wait for an answer to QUIT when libcurl closes a connection whose server stopped
    // answering (the total timeout does not cover that wait; the default is two minutes).
    curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT,
                     static_cast<long>(std::max(1, (config_.timeout_ms + 999) / 1000)));
    switch (config_.tls) {
      case EmailConfig::Tls::kNone:
        break;
      case EmailConfig::Tls::kTry:
        curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
        break;
      case EmailConfig::Tls::kRequired:
        curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
        break;
    }
    if (!config_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, config_.ca_file.c_str());
    if (!config_.username.empty()) {
      curl_easy_setopt(h, CURLOPT_USERNAME, config_.username.c_str());
      curl_easy_setopt(h, CURLOPT_PASSWORD, config_.password.c_str());
    }

    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    std::string answer = LastAnswer(peer);
    // Never let a half-finished SMTP dialogue be reused by the next attempt.
    if (rc != CURLE_OK) handle_.reset();
    if (rc == CURLE_OK) return {SendOutcome::kDelivered, answer};
    std::string detail = internal::Describe(rc, error);
    if (!answer.empty()) detail += " (server: " + answer + ")";
    if (rc == CURLE_OPERATION_TIMEDOUT) return {SendOutcome::kRetry, detail};
    if (code >= 400 && code < 500) return {SendOutcome::kRetry, detail};
    if (code >= 500 && code < 600) return {SendOutcome::kFailed, detail};
    if (rc == CURLE_LOGIN_DENIED || rc == CURLE_USE_SSL_FAILED || rc == CURLE_URL_MALFORMAT ||
        rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_PEER_FAILED_VERIFICATION ||
        rc == CURLE_SSL_CACERT_BADFILE) {
      return {SendOutcome::kFailed, detail};
    }
    return {internal::IsTransient(rc) ? SendOutcome::kRetry : SendOutcome::kFailed, detail};
  }

 private:
  EmailConfig config_;
  internal::EasyHandle handle_;
};

}  // namespace

std::string EmailMessageId(const std::string& dedup_key) {
  return "<" + Sha256Hex(dedup_key).substr(0, 32) + "@rectify>";
}

std::string FormatEmail(const EmailConfig& config, const Message& message) {
  std::string m;
  if (auto d = message.fields.find("date"); d != message.fields.end() && !d->second.empty()) {
    m += "Date: " + DateHeader(d->second) + "\r\n";
  }
  m += "From: " + FormatMailbox(ParseMailbox(config.from), 6) + "\r\n";
  m += "To: " + FormatMailbox({message.recipient_name, message.address}, 4) + "\r\n";
  m += "Subject: " + EncodeHeaderWords(message.subject) + "\r\n";
  m += "Message-ID: " + EmailMessageId(message.dedup_key) + "\r\n";
  if (!message.template_name.empty() && internal::IsPrintableAscii(message.template_name)) {
    m += "X-Rectify-Template: " + message.template_name + "\r\n";
  }
  if (!message.language.empty() && internal::IsPrintableAscii(message.language)) {
    m += "Content-Language: " + message.language + "\r\n";
  }
  m += "MIME-Version: 1.0\r\n";
  if (message.html.empty()) {
    m += Part("text/plain", message.text);
    return m;
  }
  // Base64 never contains "=_", so this boundary cannot occur inside a part.
  std::string boundary = "=_rectify_" + Sha256Hex(message.dedup_key).substr(0, 24);
  m += "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"\r\n\r\n";
  m += "--" + boundary + "\r\n" + Part("text/plain", message.text);
  m += "--" + boundary + "\r\n" + Part("text/html", message.html);
  m += "--" + boundary + "--\r\n";
  return m;
}

std::unique_ptr<Channel> MakeEmailChannel(const EmailConfig& config) {
  return std::make_unique<EmailChannel>(config);
}

}  // namespace rectify::notify
