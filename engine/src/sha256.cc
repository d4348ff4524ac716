// SHA-256 as lowercase hex (rectify/sha256.h).
#include "rectify/sha256.h"

#include <openssl/sha.h>

namespace rectify {

std::string Sha256Hex(std::string_view bytes) {
  // OpenSSL's SHA-256 uses the CPU's SHA extensions where it has them: the audit chain hashes
  // every row the engine writes, so this is on the firing path.
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(sizeof digest * 2, '0');
  for (std::size_t i = 0; i < sizeof digest; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return hex;
}

bool IsSha256Hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace rectify
