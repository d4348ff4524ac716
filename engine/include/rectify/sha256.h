// SHA-256 as lowercase hex: the one place the project hashes bytes to a printable digest.
//
// Content hashes of definitions, the audit chain, evidence blobs, migration checksums, calendar
// feed UIDs and the notification channels' dedup keys and signatures all use it, so a digest
// written by one part reads the same in every other.
//
//   Sha256Hex("abc");   // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
//   IsSha256Hex(text);  // 64 lowercase hex digits, as Sha256Hex writes them
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace rectify {

// Lowercase hex SHA-256 (OpenSSL, with the CPU's SHA extensions where present) of `bytes`.
std::string Sha256Hex(std::string_view bytes);

// Whether `text` is a digest as Sha256Hex writes it: 64 lowercase hex digits.
bool IsSha256Hex(std::string_view text);

}  // namespace rectify
