// Answers of the read routes that callers ask again and again (item lists, the summary: boards
// poll them every few seconds), kept whole with their ETag and served again for as long as they
// are exactly what computing them anew would give.
//
//   const std::uint64_t generation = call.api.items->generation();  // before computing
//   if (auto kept = cache.Find(key, generation, call.now)) return Answered(call.request, kept);
//   ResponseCache::Validity valid{generation, call.now};
//   ... compute, calling valid.Earlier(t) for each instant t at which a part of it may change ...
//   return Answered(call.request, cache.Put(key, valid, std::move(response)));
//
// The key is everything that decides the answer besides the index and the clock: the route, the
// caller as the access rules take them (person, org, administrator) or the scope they computed,
// and the query as parsed and normalised. An answer is valid while
//   - the item index has not changed: its generation (ItemIndex::generation) counts every change
//     applied, by this node or, through node_changes, by any writer; read it before computing, so
//     an answer is never labelled newer than what it read (a change applied meanwhile makes the
//     label older than the index: the next request computes again);
//   - the clock stands in [from, until): `until` is the first instant after `from` at which any
//     part of the answer changes with time alone (a deadline crossed flips "overdue", a local
//     midnight changes the working days left), computed from the rows it read, never a guess.
// A kept answer therefore includes every write committed before the request came, as the index
// does (node_changes.h), and nothing the clock has moved past.
//
// The ETag is a hash of the content type and body: the same answer has the same tag on every
// node and after a restart. If-None-Match naming it is answered 304 without a body.
//
// Memory: at most max_bytes of bodies; when a new answer would pass it, answers no longer valid
// are dropped first, then all of them.
//
// Thread-safety: every member from any thread; a kept Answer is immutable and shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "adapters/http/http_server.h"
#include "rectify/timestamp.h"

namespace rectify::api {

class ResponseCache {
 public:
  static constexpr std::size_t kDefaultMaxBytes = std::size_t{64} << 20;

  struct Answer {
    unsigned status = 200;
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // Content-Disposition, ...
    std::string etag;                                          // quoted
  };

  // When an answer stays what computing it anew would give (see the file comment).
  struct Validity {
    std::uint64_t generation = 0;
    Timestamp from{};
    std::optional<Timestamp> until;

    // Something the answer shows may change at `t` (ignored unless after `from`).
    void Earlier(Timestamp t) {
      if (t > from && (!until || t < *until)) until = t;
    }
  };

  explicit ResponseCache(std::size_t max_bytes = kDefaultMaxBytes) : max_bytes_(max_bytes) {}
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  // The answer kept under `key` when it is valid at `generation` and `now`; else null.
  std::shared_ptr<const Answer> Find(const std::string& key, std::uint64_t generation,
                                     Timestamp now) const;

  // Keeps `response` (a 200 with its body) under `key`, valid as `valid` says, and returns it with
  // its ETag. Any other response is returned as it is and not kept.
  std::shared_ptr<const Answer> Put(const std::string& key, const Validity& valid,
                                    http::Response response);

  std::size_t bytes() const;
  std::size_t size() const;

 private:
  struct Entry {
    Validity valid;
    std::shared_ptr<const Answer> answer;
  };

  const std::size_t max_bytes_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::size_t bytes_ = 0;
};

// The quoted ETag of a body of `content_type`.
std::string BodyETag(std::string_view content_type, std::string_view body);

// Whether an If-None-Match header names `etag` ("*", one tag or a list; W/ tags compare weakly).
bool NoneMatchNames(std::string_view if_none_match, std::string_view etag);

// The answer as a response: 304 with its ETag when the request's If-None-Match names it, else
// the answer itself with its ETag, its body shared with the kept answer (not copied).
http::Response Answered(const http::Request& request,
                        const std::shared_ptr<const ResponseCache::Answer>& answer);

}  // namespace rectify::api
