// Text encodings the channels need: base64 (MIME bodies, DingTalk signatures), RFC 2047 encoded
// words (UTF-8 mail headers), percent-encoding (query strings), HMAC-SHA256 and SHA-256
// (libsodium).
//
// Internal to adapters/notify. Thread-safety: pure functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace rectify::notify::internal {

// Base64 (RFC 4648). With `line_length` > 0 the output is split into CRLF-terminated lines of at
// most that many characters, as MIME bodies want (76).
std::string Base64(std::string_view bytes, std::size_t line_length = 0);

// A header value as RFC 2047 "B" encoded words when it is not plain printable ASCII, each word at
// most 75 characters, never splitting a UTF-8 character, joined by CRLF SP (a folded header).
// Plain printable ASCII comes back unchanged.
std::string EncodeHeaderWords(std::string_view utf8);

// Percent-encoding of everything but RFC 3986 unreserved characters.
std::string UrlEncode(std::string_view text);

// HMAC-SHA256 of `message` under `key` (raw 32 bytes).
std::string HmacSha256(std::string_view key, std::string_view message);

// HMAC-SHA1 of `message` under `key` (raw 20 bytes): Alibaba Cloud's RPC signature.
std::string HmacSha1(std::string_view key, std::string_view message);

// Lower-case hex of `bytes`.
std::string Hex(std::string_view bytes);

bool IsPrintableAscii(std::string_view text);

// The longest prefix of `utf8` of at most `max_bytes` bytes that ends on a character boundary.
std::string_view TruncateUtf8(std::string_view utf8, std::size_t max_bytes);

}  // namespace rectify::notify::internal
