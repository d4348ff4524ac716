// ResponseCache (response_cache.h): answers kept with their ETag, and conditional GETs.
#include "adapters/http/api/response_cache.h"

#include <cstdio>
#include <functional>

namespace rectify::api {

std::shared_ptr<const ResponseCache::Answer> ResponseCache::Find(const std::string& key,
                                                                 std::uint64_t generation,
                                                                 Timestamp now) const {
  std::lock_guard guard(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  const Validity& v = it->second.valid;
  if (v.generation != generation || now < v.from || (v.until && now >= *v.until)) return nullptr;
  return it->second.answer;
}

std::shared_ptr<const ResponseCache::Answer> ResponseCache::Put(const std::string& key,
                                                                const Validity& valid,
                                                                http::Response response) {
  auto answer = std::make_shared<Answer>();
  answer->status = response.status;
  answer->etag = BodyETag(response.content_type, response.body);
  answer->content_type = std::move(response.content_type);
  answer->body = std::move(response.body);
  answer->headers = std::move(response.headers);
  if (answer->status != 200 || response.stream) return answer;
  const std::size_t size = answer->body.size() + key.size();
  if (size > max_bytes_) return answer;
  std::lock_guard guard(mu_);
  auto drop = [&](auto it) {
    bytes_ -= it->second.answer->body.size() + it->first.size();
    return entries_.erase(it);
  };
  if (auto it = entries_.find(key); it != entries_.end()) drop(it);
  if (bytes_ + size > max_bytes_) {
    // Answers that can no longer be served first: of an older generation, or run out.
    for (auto it = entries_.begin(); it != entries_.end();) {
      const Validity& v = it->second.valid;
      bool dead = v.generation < valid.generation || (v.until && *v.until <= valid.from);
      it = dead ? drop(it) : std::next(it);
    }
  }
  if (bytes_ + size > max_bytes_) {
    entries_.clear();
    bytes_ = 0;
  }
  entries_.emplace(key, Entry{valid, answer});
  bytes_ += size;
  return answer;
}

std::size_t ResponseCache::bytes() const {
  std::lock_guard guard(mu_);
  return bytes_;
}

std::size_t ResponseCache::size() const {
  std::lock_guard guard(mu_);
  return entries_.size();
}

std::string BodyETag(std::string_view content_type, std::string_view body) {
  // Not a secret and not an integrity check: a tag that changes when the body does. The
  // standard library's string hash (64 bits, fixed seed) reads 8 bytes at a time.
  std::size_t h = std::hash<std::string_view>()(body);
  h ^= std::hash<std::string_view>()(content_type) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

bool NoneMatchNames(std::string_view header, std::string_view etag) {
  auto opaque = [](std::string_view tag) {
    if (tag.size() >= 2 && tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    return tag;
  };
  std::string_view want = opaque(etag);
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*" || (!tag.empty() && opaque(tag) == want)) return true;
  }
  return false;
}

http::Response Answered(const http::Request& request,
                        const std::shared_ptr<const ResponseCache::Answer>& kept) {
  const ResponseCache::Answer& answer = *kept;
  http::Response r;
  if (answer.status == 200 && NoneMatchNames(request.Header("if-none-match"), answer.etag)) {
    r.status = 304;
    r.headers.emplace_back("ETag", answer.etag);
    return r;
  }
  r.status = answer.status;
  r.content_type = answer.content_type;
  r.shared_body = std::shared_ptr<const std::string>(kept, &answer.body);
  r.headers = answer.headers;
  if (answer.status == 200) r.headers.emplace_back("ETag", answer.etag);
  return r;
}

}  // namespace rectify::api
