#include "adapters/notify/encoding.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <array>

namespace rectify::notify::internal {

namespace {

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

std::string Base64(std::string_view bytes, std::size_t line_length) {
  std::string plain;
  plain.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    auto b0 = static_cast<unsigned char>(bytes[i]);
    auto b1 = static_cast<unsigned char>(bytes[i + 1]);
    auto b2 = static_cast<unsigned char>(bytes[i + 2]);
    plain += kBase64Alphabet[b0 >> 2];
    plain += kBase64Alphabet[((b0 & 0x03) << 4) | (b1 >> 4)];
    plain += kBase64Alphabet[((b1 & 0x0F) << 2) | (b2 >> 6)];
    plain += kBase64Alphabet[b2 & 0x3F];
  }
  if (std::size_t rest = bytes.size() - i; rest > 0) {
    auto b0 = static_cast<unsigned char>(bytes[i]);
    auto b1 = rest > 1 ? static_cast<unsigned char>(bytes[i + 1]) : 0;
    plain += kBase64Alphabet[b0 >> 2];
    plain += kBase64Alphabet[((b0 & 0x03) << 4) | (b1 >> 4)];
    plain += rest > 1 ? kBase64Alphabet[(b1 & 0x0F) << 2] : '=';
    plain += '=';
  }
  if (line_length == 0) return plain;
  std::string out;
  for (std::size_t p = 0; p < plain.size(); p += line_length) {
    out += plain.substr(p, line_length);
    out += "\r\n";
  }
  return out;
}

bool IsPrintableAscii(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

std::string EncodeHeaderWords(std::string_view utf8) {
  if (IsPrintableAscii(utf8)) return std::string(utf8);
  // "=?UTF-8?B?" + payload + "?=" may be 75 characters; 39 bytes of text (52 of base64) keep a
  // word at 64, so "Subject: " and the first word still fit in a 76-character line.
  constexpr std::size_t kMaxBytes = 39;
  std::string out;
  std::size_t pos = 0;
  while (pos < utf8.size()) {
    std::size_t end = std::min(utf8.size(), pos + kMaxBytes);
    while (end < utf8.size() && end > pos &&
           IsContinuation(static_cast<unsigned char>(utf8[end]))) {
      --end;
    }
    if (end == pos) end = std::min(utf8.size(), pos + kMaxBytes);  // not UTF-8: cut anyway
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(utf8.substr(pos, end - pos)) + "?=";
    pos = end;
  }
  return out;
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view message) {
  crypto_auth_hmacsha256_state state;
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

std::string HmacSha1(std::string_view key, std::string_view message) {
  // libsodium has no SHA-1; OpenSSL (libcurl's TLS) has.
  unsigned char mac[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA1", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac,
                sizeof mac, &length) == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(mac), length);
}

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0x0F];
  }
  return out;
}

std::string_view TruncateUtf8(std::string_view utf8, std::size_t max_bytes) {
  if (utf8.size() <= max_bytes) return utf8;
  std::size_t end = max_bytes;
  while (end > 0 && IsContinuation(static_cast<unsigned char>(utf8[end]))) --end;
  return utf8.substr(0, end);
}

}  // namespace rectify::notify::internal
