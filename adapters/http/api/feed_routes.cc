// A person's calendar feed at a URL of its own:
//   POST   /api/v1/feeds               makes a feed token for the caller ({"label"} optional);
//                                      the URL with its token is shown once
//   GET    /api/v1/feeds               the caller's feeds, without their tokens
//   DELETE /api/v1/feeds/{feed}        revokes one (the URL stops working at once)
//   GET    /api/v1/feeds/{feed}        {feed} is TOKEN.ics: the feed itself (public route)
//
// Calendar apps subscribe to a URL and send no headers, so the URL's token is the credential. It
// is a credential for this one thing: kept in feed_tokens (migration 0008), apart from API tokens,
// so a leaked calendar URL reads one person's deadlines and can never act as a bearer token. Only
// its SHA-256 is stored.
//
// The feed is what `rectify ics --person` writes (adapters/ics/ics_feed.h: the deadlines the
// person owns), less any item the person may not read now (engine::MayRead), checked on every
// fetch: a feed of a person whose account is disabled or who left the org definitions answers
// 404, exactly as a revoked or unknown token does.
#include <boost/json.hpp>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/json_input.h"
#include "adapters/ics/ics_feed.h"
#include "adapters/store/soci/soci_admin_store.h"
#include "rectify/auth/secrets.h"
#include "rectify/engine/access.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxLabel = 200;

json::object FeedJson(const store_soci::FeedToken& f) {
  json::object o{{"id", f.id}, {"label", f.label}, {"created_at", FormatIso(f.created_at)}};
  if (f.revoked_at) {
    o["revoked_at"] = FormatIso(*f.revoked_at);
  } else {
    o["revoked_at"] = nullptr;
  }
  o["active"] = !f.revoked_at.has_value();
  return o;
}

http::Response Create(Call& call) {
  std::string label;
  if (!call.request.body.empty()) {
    auto body = ParseObject(call.request.body, {{"label", JsonType::kString, false}});
    if (!body) return ErrorResponse(body.error());
    label = StringOr(*body, "label");
    if (label.size() > kMaxLabel) {
      return ErrorResponse(Error::BadInput("$.label: at most " + std::to_string(kMaxLabel) +
                                           " bytes (a name for the calendar, such as 'phone')"));
    }
  }
  auth::IssuedSecret secret = auth::NewSessionSecret();
  store_soci::FeedToken feed{secret.id, call.caller.person, secret.hash, label, call.now, {}};
  store_soci::SociAdminStore store(*call.db.side);
  if (Status s = store.AddFeed(feed); !s) return ErrorResponse(s.error());
  json::object o = FeedJson(feed);
  o["token"] = secret.text;
  o["url"] = "/api/v1/feeds/" + secret.text + ".ics";
  auto r = JsonResponse(201, o);
  r.headers.emplace_back("Location", "/api/v1/feeds/" + secret.text + ".ics");
  return r;
}

http::Response List(Call& call) {
  if (!call.request.query.empty()) {
    return ErrorResponse(Error::BadInput(call.request.query.begin()->first +
                                         ": unknown parameter (feeds take none)"));
  }
  store_soci::SociAdminStore store(*call.db.side);
  auto feeds = store.ListFeeds(call.caller.person);
  if (!feeds) return ErrorResponse(feeds.error());
  json::array out;
  for (const auto& f : *feeds) out.push_back(FeedJson(f));
  return JsonResponse(200, json::object{{"feeds", std::move(out)}});
}

http::Response Revoke(Call& call) {
  store_soci::SociAdminStore store(*call.db.side);
  if (Status s = store.RevokeFeed(call.request.params.at("feed"), call.caller.person, call.now);
      !s) {
    return ErrorResponse(s.error());
  }
  return JsonResponse(200, json::object{{"revoked", call.request.params.at("feed")}});
}

http::Response Fetch(Call& call) {
  auto none = http::Response::Error(
      404, "not_found",
      "no such feed: the URL is wrong or was revoked; make a new one with POST /api/v1/feeds");
  std::string name = call.request.params.at("feed");
  constexpr std::string_view kSuffix = ".ics";
  if (name.size() <= kSuffix.size() || name.substr(name.size() - kSuffix.size()) != kSuffix) {
    return none;
  }
  std::string token = name.substr(0, name.size() - kSuffix.size());
  store_soci::SociAdminStore store(*call.db.side);
  auto feed = store.FindFeed(auth::HashSecret(token));
  if (!feed) return ErrorResponse(feed.error());
  if (!*feed || (*feed)->revoked_at) return none;
  auto account = call.db.accounts->FindAccount((*feed)->person);
  if (!account) return ErrorResponse(account.error());
  if (!*account) return none;
  std::optional<Caller> person = call.api.authenticator.CallerFor(**account);
  if (!person) return none;  // disabled, or no longer in the org definitions
  engine::Reader reader{person->person, person->org, person->admin};
  const engine::Interpreter& interpreter = call.db.engine->interpreter();
  ics::FeedQuery q;
  q.person = person->person;
  q.stamp = call.now;
  q.include = [&](const engine::Instance& inst) {
    auto bound = interpreter.Bind(inst);
    return bound && engine::MayRead(*bound->org, *bound->workflow, inst, reader);
  };
  auto text = ics::WriteFeed(*call.db.store, *call.api.options.definitions, q);
  if (!text) {
    if (text.error().code() == ErrorCode::kNotFound) return none;
    return ErrorResponse(text.error());
  }
  return http::Response::Text(200, *text, "text/calendar; charset=utf-8");
}

}  // namespace

std::vector<Route> FeedRoutes() {
  std::vector<Route> routes = {
      {{"POST", "/api/v1/feeds", Access::kSignedIn, true}, Create},
      {{"GET", "/api/v1/feeds", Access::kSignedIn, false}, List},
      {{"DELETE", "/api/v1/feeds/{feed}", Access::kSignedIn, true}, Revoke},
      {{"GET", "/api/v1/feeds/{feed}", Access::kPublic, false}, Fetch},
  };
  routes.back().info.heavy = true;  // a feed reads every item the person may read
  return routes;
}

}  // namespace rectify::api
