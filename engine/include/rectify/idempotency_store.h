// Idempotency keys: a client that sends a POST with `Idempotency-Key: K` and retries it (its
// connection dropped before the answer came) gets the first answer again, and nothing is done
// twice.
//
//   auto begun = keys.Begin(person, key, request_hash, now);
//   if (begun->replay) return begun->replay;          // done before: the same answer
//   ... do the work ...; keys.Finish(person, key, response);   // or Abandon on a server error
//
// A key belongs to the person who sent it; the same key with a different request (method, path,
// body) is refused (kBadInput), and a key whose first request is still running is kConflict
// (retry shortly). A key reserved longer ago than kReservationLease and never answered belongs to
// a request whose server stopped before it answered: a retry takes it over and runs again (the
// request's own checks, such as an If-Match, then see what the first run did). Keys are kept 24
// hours (Expire).
//
// Thread-safety: one thread at a time per store (one connection). Ownership: plain values.
#pragma once

#include <optional>
#include <string>

#include "rectify/result.h"
#include "rectify/timestamp.h"

namespace rectify {

// Longer than any request runs (the largest ledger import over the API takes seconds).
inline constexpr Duration kReservationLease = std::chrono::minutes(5);

struct StoredResponse {
  int status = 0;
  std::string headers_json = "[]";  // [[name, value], ...] worth replaying (ETag, Location)
  std::string body;
};

struct IdempotencyBegin {
  std::optional<StoredResponse> replay;  // set: answered before
};

class IdempotencyStore {
 public:
  virtual ~IdempotencyStore() = default;
  virtual Result<IdempotencyBegin> Begin(const std::string& person, const std::string& key,
                                         const std::string& request_hash, Timestamp now) = 0;
  virtual Status Finish(const std::string& person, const std::string& key,
                        const StoredResponse& response) = 0;
  virtual Status Abandon(const std::string& person, const std::string& key) = 0;
  virtual Result<std::int64_t> Expire(Timestamp before) = 0;
};

}  // namespace rectify
