// The response cache (adapters/http/api/response_cache.h) as a unit: an answer is served only at
// the index generation and inside the clock interval it was computed for, its ETag follows its
// body, If-None-Match is answered 304, and its memory stays bounded.
#include "adapters/http/api/response_cache.h"

#include <gtest/gtest.h>

namespace rectify::api {
namespace {

using namespace std::chrono_literals;

Timestamp At(std::int64_t seconds) { return Timestamp(std::chrono::seconds(seconds)); }

http::Request Get(const std::string& if_none_match = {}) {
  http::Request r;
  r.method = "GET";
  r.path = "/api/v1/items";
  if (!if_none_match.empty()) r.headers["if-none-match"] = if_none_match;
  return r;
}

TEST(ResponseCacheTest, AnAnswerIsServedOnlyAtItsGenerationAndBeforeItsFirstChange) {
  ResponseCache cache;
  ResponseCache::Validity valid{7, At(100), std::nullopt};
  valid.Earlier(At(90));   // before it was computed: no bound
  valid.Earlier(At(160));  // a deadline
  valid.Earlier(At(130));  // a midnight, earlier
  ASSERT_TRUE(valid.until.has_value());
  EXPECT_EQ(*valid.until, At(130));
  cache.Put("k", valid, http::Response::Json(200, R"({"items":[]})"));

  auto kept = cache.Find("k", 7, At(100));
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->body, R"({"items":[]})");
  EXPECT_NE(cache.Find("k", 7, At(129)), nullptr);
  EXPECT_EQ(cache.Find("k", 7, At(130)), nullptr) << "the clock reached a change";
  EXPECT_EQ(cache.Find("k", 7, At(99)), nullptr) << "a clock set back before it was computed";
  EXPECT_EQ(cache.Find("k", 8, At(100)), nullptr) << "the index changed";
  EXPECT_EQ(cache.Find("other", 7, At(100)), nullptr);
}

TEST(ResponseCacheTest, OnlyAnswersOf200AreKept) {
  ResponseCache cache;
  auto a = cache.Put("k", {1, At(0), std::nullopt},
                     http::Response::Error(400, "bad_request", "cursor: not a cursor"));
  EXPECT_EQ(a->status, 400u);
  EXPECT_EQ(cache.Find("k", 1, At(0)), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ResponseCacheTest, TheETagFollowsTheBodyAndIfNoneMatchIsAnswered304) {
  ResponseCache cache;
  auto a = cache.Put("a", {1, At(0), std::nullopt}, http::Response::Json(200, R"({"n":1})"));
  auto b = cache.Put("b", {1, At(0), std::nullopt}, http::Response::Json(200, R"({"n":2})"));
  auto same = cache.Put("c", {1, At(0), std::nullopt}, http::Response::Json(200, R"({"n":1})"));
  EXPECT_NE(a->etag, b->etag);
  EXPECT_EQ(a->etag, same->etag);
  EXPECT_EQ(a->etag.front(), '"');
  EXPECT_EQ(a->etag.back(), '"');

  http::Response full = Answered(Get(), a);
  EXPECT_EQ(full.status, 200u);
  EXPECT_EQ(full.Body(), R"({"n":1})");
  http::Response unchanged = Answered(Get(a->etag), a);
  EXPECT_EQ(unchanged.status, 304u);
  EXPECT_EQ(unchanged.Body(), "");
  bool tagged = false;
  for (const auto& [name, value] : unchanged.headers) tagged |= name == "ETag" && value == a->etag;
  EXPECT_TRUE(tagged);
  EXPECT_EQ(Answered(Get(b->etag), a).status, 200u) << "another answer's tag";
  EXPECT_EQ(Answered(Get("\"x\", W/" + a->etag), a).status, 304u);
  EXPECT_EQ(Answered(Get("*"), a).status, 304u);
}

TEST(ResponseCacheTest, NoneMatchReadsListsAndWeakTags) {
  EXPECT_TRUE(NoneMatchNames("\"abc\"", "\"abc\""));
  EXPECT_TRUE(NoneMatchNames(" \"x\" ,\t\"abc\" ", "\"abc\""));
  EXPECT_TRUE(NoneMatchNames("W/\"abc\"", "\"abc\""));
  EXPECT_FALSE(NoneMatchNames("\"abcd\"", "\"abc\""));
  EXPECT_FALSE(NoneMatchNames("", "\"abc\""));
  EXPECT_FALSE(NoneMatchNames("abc", "\"abc\""));
}

TEST(ResponseCacheTest, MemoryStaysBoundedDroppingAnswersNoLongerValidFirst) {
  ResponseCache cache(100);
  std::string thirty(30, 'x');
  cache.Put("old", {1, At(0), std::nullopt}, http::Response::Json(200, thirty));
  cache.Put("a", {2, At(0), std::nullopt}, http::Response::Json(200, thirty));
  cache.Put("b", {2, At(0), std::nullopt}, http::Response::Json(200, thirty));
  EXPECT_EQ(cache.size(), 3u);
  // A fourth would pass 100 bytes: the answer of generation 1 goes, the others stay.
  cache.Put("c", {2, At(0), std::nullopt}, http::Response::Json(200, thirty));
  EXPECT_EQ(cache.Find("old", 1, At(0)), nullptr);
  EXPECT_NE(cache.Find("a", 2, At(0)), nullptr);
  EXPECT_NE(cache.Find("c", 2, At(0)), nullptr);
  EXPECT_LE(cache.bytes(), 100u);
  // Nothing left to drop but valid answers: all go, the new one stays.
  cache.Put("d", {2, At(0), std::nullopt}, http::Response::Json(200, thirty));
  EXPECT_NE(cache.Find("d", 2, At(0)), nullptr);
  EXPECT_LE(cache.bytes(), 100u);
  // An answer larger than the whole cache is answered, not kept.
  auto big =
      cache.Put("big", {2, At(0), std::nullopt}, http::Response::Json(200, std::string(200, 'y')));
  EXPECT_EQ(big->body.size(), 200u);
  EXPECT_EQ(cache.Find("big", 2, At(0)), nullptr);
}

}  // namespace
}  // namespace rectify::api
