// The audit log's check (administrators):
//   POST /api/v1/audit/verify   {"after": "ITEM", "limit": 1000}   (both optional)
//
// Runs the check of `rectify audit verify` (engine/audit_chain.h VerifyInstances, VerifyChain:
// every item's hash chain against itself and against the sequence number and hash the item
// recorded) over one page of items in id order, and answers per item ok or broken with its first
// broken row, and `next_after` to go on from (null after the last page). A page is bounded (at most
// 5000 items), so a large database is checked in several requests rather than one that holds a
// worker for minutes.
//
// POST rather than GET: it reads every row of the page and hashes it, so it is work a client asks
// for, not a resource to fetch; a GET would be prefetched, cached or retried by anything between.
// It changes nothing (no write credential needed).
#include <boost/json.hpp>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/json_input.h"
#include "rectify/engine/audit_chain.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

constexpr std::int64_t kDefaultLimit = 1000;
constexpr std::int64_t kMaxLimit = 5000;

http::Response Verify(Call& call) {
  std::string after;
  std::int64_t limit = kDefaultLimit;
  if (!call.request.body.empty()) {
    auto body = ParseObject(call.request.body, {{"after", JsonType::kString, false},
                                                {"limit", JsonType::kInteger, false}});
    if (!body) return ErrorResponse(body.error());
    after = StringOr(*body, "after");
    if (const auto* l = body->if_contains("limit")) {
      // ParseObject has checked it is a whole number; one past int64 is out of range too.
      if (l->is_int64()) limit = l->as_int64();
      if (!l->is_int64() || limit < 1 || limit > kMaxLimit) {
        return ErrorResponse(
            Error::BadInput("$.limit: a whole number from 1 to " + std::to_string(kMaxLimit)));
      }
    }
  }
  auto page = engine::VerifyInstances(*call.db.store, after, limit);
  if (!page) return ErrorResponse(page.error());
  json::array items;
  std::int64_t rows = 0, broken = 0;
  for (const engine::InstanceAudit& checked : *page) {
    rows += checked.rows;
    json::object o{
        {"id", checked.instance_id}, {"rows", checked.rows}, {"ok", checked.problems.empty()}};
    if (checked.problems.empty()) {
      o["first_broken"] = nullptr;
    } else {
      ++broken;
      o["first_broken"] = json::object{{"seq", checked.problems.front().seq},
                                       {"message", checked.problems.front().message},
                                       {"problems", checked.problems.size()}};
    }
    items.push_back(std::move(o));
  }
  json::value next = nullptr;
  if (static_cast<std::int64_t>(page->size()) == limit) {
    next = json::value(page->back().instance_id);
  }
  return JsonResponse(200, json::object{{"intact", broken == 0},
                                        {"items_checked", page->size()},
                                        {"rows_checked", rows},
                                        {"broken", broken},
                                        {"items", std::move(items)},
                                        {"next_after", std::move(next)}});
}

}  // namespace

std::vector<Route> AuditRoutes() {
  std::vector<Route> routes = {{{"POST", "/api/v1/audit/verify", Access::kAdmin, false}, Verify}};
  routes.back().info.heavy = true;  // hashes every row of a page of items
  return routes;
}

}  // namespace rectify::api
