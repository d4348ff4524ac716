// The secrets behind sign-in: passwords, API tokens and session ids, and how each is kept.
//
//   Result<std::string> stored = HashPassword("correct horse battery");   // "$argon2id$v=19$..."
//   bool ok = VerifyPassword(*stored, attempt);
//
//   IssuedSecret token = NewApiToken();   // token.text "rtk_<id>_<secret>" is shown once;
//                                         // token.id and token.hash are what the database keeps
//   Result<ParsedToken> parsed = ParseApiToken(header_value);   // id + hash, to look up
//
// Passwords are hashed with Argon2id (libsodium's crypto_pwhash_str_alg at its "interactive"
// limits: 2 passes over 64 MiB, about a tenth of a second here), salted, so equal passwords
// differ and a stolen table gives nothing fast to try. Tokens and session ids are 32 random bytes
// from the system's generator; since they cannot be guessed, SHA-256 of the secret is enough to
// keep them (and lets every request look one up in microseconds): a database dump never holds a
// usable token or cookie.
//
// Thread-safety: every function is safe from any thread (libsodium is initialised once).
#pragma once

#include <string>
#include <string_view>

#include "rectify/result.h"

namespace rectify::auth {

// Why a password is refused, or OK: at least 10 characters, at most 1,024 bytes, valid UTF-8, not
// the person's own id. The message says what to choose instead.
Status CheckPasswordPolicy(std::string_view password, std::string_view person);

// The Argon2id string to store (kInternal only when the system cannot allocate the memory).
Result<std::string> HashPassword(std::string_view password);

// Whether `password` matches `stored`, in time independent of where they differ.
bool VerifyPassword(const std::string& stored, std::string_view password);

// A fresh random secret: what the caller is given once (`text`), and what is kept (`id`, a short
// public handle for listing and revoking; `hash`, SHA-256 hex of the whole text).
struct IssuedSecret {
  std::string id;
  std::string text;
  std::string hash;
};

// An API token: "rtk_" + 12 hex id + "_" + 43 base64url characters (256 random bits).
IssuedSecret NewApiToken();
// A session id for a login cookie: 43 base64url characters; `id` is the first 12 of its hash.
IssuedSecret NewSessionSecret();

// The id and the hash to compare of a presented token; kBadInput when it is not one.
struct ParsedToken {
  std::string id;
  std::string hash;
};
Result<ParsedToken> ParseApiToken(std::string_view text);

// SHA-256 hex of a presented secret (a session cookie's value).
std::string HashSecret(std::string_view text);

// Constant-time equality of two hex digests.
bool SameDigest(std::string_view a, std::string_view b);

}  // namespace rectify::auth
