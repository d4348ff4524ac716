#include "rectify/auth/secrets.h"

#include <sodium.h>

#include <array>
#include <mutex>

#include "rectify/definition/canonical.h"
#include "rectify/sha256.h"
#include "rectify/utf8.h"

namespace rectify::auth {
namespace {

void EnsureSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    // sodium_init fails only when the system's random source cannot be opened, in which case no
    // secret can be made safely.
    if (sodium_init() < 0) std::abort();
  });
}

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) >> 6) != 0x2;
  return n;
}

// 32 random bytes as unpadded base64url (43 characters).
std::string RandomText() {
  EnsureSodium();
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

std::string RandomHex(std::size_t bytes_count) {
  EnsureSodium();
  std::array<unsigned char, 16> bytes{};
  randombytes_buf(bytes.data(), bytes_count);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (std::size_t i = 0; i < bytes_count; ++i) {
    hex += kHex[bytes[i] >> 4];
    hex += kHex[bytes[i] & 0xf];
  }
  return hex;
}

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsBase64Url(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
          c == '_')) {
      return false;
    }
  }
  return true;
}

constexpr std::string_view kTokenPrefix = "rtk_";
constexpr std::size_t kTokenIdLength = 12;
constexpr std::size_t kSecretLength = 43;

}  // namespace

Status CheckPasswordPolicy(std::string_view password, std::string_view person) {
  if (FirstInvalidUtf8(password) != std::string_view::npos) {
    return Error::BadInput("the password is not valid UTF-8; type it again");
  }
  if (password.size() > 1024) {
    return Error::BadInput("the password is longer than 1,024 bytes; choose a shorter one");
  }
  if (CodePoints(password) < 10) {
    return Error::BadInput(
        "the password is shorter than 10 characters; choose a longer one (a few words "
        "together are easy to remember)");
  }
  if (password == person) {
    return Error::BadInput("the password is the person's own id; choose another");
  }
  return OkStatus();
}

Result<std::string> HashPassword(std::string_view password) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error::Internal("could not hash the password: out of memory (Argon2id needs 64 MiB)");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& stored, std::string_view password) {
  EnsureSodium();
  return crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
}

IssuedSecret NewApiToken() {
  IssuedSecret s;
  s.id = RandomHex(kTokenIdLength / 2);
  s.text = std::string(kTokenPrefix) + s.id + "_" + RandomText();
  s.hash = HashSecret(s.text);
  return s;
}

IssuedSecret NewSessionSecret() {
  IssuedSecret s;
  s.text = RandomText();
  s.hash = HashSecret(s.text);
  s.id = s.hash.substr(0, kTokenIdLength);
  return s;
}

Result<ParsedToken> ParseApiToken(std::string_view text) {
  const std::size_t expected = kTokenPrefix.size() + kTokenIdLength + 1 + kSecretLength;
  if (text.size() != expected || text.substr(0, kTokenPrefix.size()) != kTokenPrefix ||
      text[kTokenPrefix.size() + kTokenIdLength] != '_' ||
      !IsHex(text.substr(kTokenPrefix.size(), kTokenIdLength)) ||
      !IsBase64Url(text.substr(kTokenPrefix.size() + kTokenIdLength + 1))) {
    return Error::BadInput("not a Rectify API token (they look like rtk_<12 hex>_<43 characters>)");
  }
  return ParsedToken{std::string(text.substr(kTokenPrefix.size(), kTokenIdLength)),
                     HashSecret(text)};
}

std::string HashSecret(std::string_view text) { return Sha256Hex(text); }

bool SameDigest(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace rectify::auth
