// Bulletins kept and sent on SOCI (bulletin_store.h).
#include "adapters/store/soci/bulletin_store.h"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "adapters/store/soci/transaction.h"
#include "rectify/engine/campaign.h"
#include "rectify/notify/channels_config.h"

namespace rectify::store_soci {
namespace {

namespace json = boost::json;

// How many times an issue builds again after another node took its number.
constexpr int kIssueAttempts = 5;

struct Latest {
  int year = 0;
  int number = 0;
  std::optional<Timestamp> issued_at;  // of the campaign's latest bulletin, any year
};

Latest ReadLatest(Database& db, const std::string& campaign, int year) {
  Latest l;
  l.year = year;
  std::string name = campaign;
  long long max = 0, at = 0;
  soci::indicator max_ind = soci::i_ok, at_ind = soci::i_ok;
  db.session() << "SELECT MAX(number) FROM bulletins WHERE campaign = :campaign AND year = :year",
      soci::into(max, max_ind), soci::use(name), soci::use(year);
  l.number = max_ind == soci::i_ok ? static_cast<int>(max) : 0;
  db.session() << "SELECT MAX(issued_at) FROM bulletins WHERE campaign = :campaign",
      soci::into(at, at_ind), soci::use(name);
  if (at_ind == soci::i_ok) l.issued_at = FromMicros(at);
  return l;
}

// One outbox row per head of each unit in the bulletin's scope.
void QueueMessages(Database& db, const definition::Campaign& c, StoredBulletin& b, Timestamp now) {
  const definition::Org& org = c.org();
  const json::value* scope = b.content.if_contains("scope");
  if (!scope || !scope->is_object()) return;
  const json::value* units = scope->as_object().if_contains("units");
  if (!units || !units->is_array()) return;
  Timestamp not_before = now;
  if (auto t = c.calendar().NextWorkingTime(now); t) not_before = *t;
  for (const json::value& uv : units->as_array()) {
    const std::string unit(uv.as_object().at("unit").as_string());
    auto u = org.FindUnit(unit);
    if (!u) continue;
    auto heads = org.unit(*u).roles.find("head");
    if (heads == org.unit(*u).roles.end() || heads->second.empty()) {
      b.not_sent.push_back(unit);
      continue;
    }
    json::object payload = engine::BulletinMessagePayload(b.content, unit);
    for (definition::PersonIndex p : heads->second) {
      const definition::Person& person = org.person(p);
      if (std::find(b.sent_to.begin(), b.sent_to.end(), person.id) != b.sent_to.end()) continue;
      b.sent_to.push_back(person.id);
      if (b.dry_run) continue;
      json::object body = payload;
      body["recipient_name"] = person.name;
      std::string key = "bulletin|" + b.campaign + "|" + b.key() + "|" + person.id;
      std::string empty, channel(notify::PreferredContactKind(person.contacts)),
          recipient = person.id, templ = engine::kBulletinMessage, text = json::serialize(body);
      long long nb = ToMicros(not_before), created = ToMicros(now);
      db.session() << "INSERT INTO outbox (dedup_key, instance_id, channel, recipient, template, "
                      "payload, not_before, created_at, state, attempts, next_attempt_at, "
                      "last_error) VALUES (:key, :instance, :channel, :recipient, :template, "
                      ":payload, :not_before, :created, 'pending', 0, :next, '') "
                      "ON CONFLICT (dedup_key) DO NOTHING",
          soci::use(key), soci::use(empty), soci::use(channel), soci::use(recipient),
          soci::use(templ), soci::use(text), soci::use(nb), soci::use(created), soci::use(nb);
    }
  }
}

StoredBulletin FromRow(const std::string& campaign, int year, int number, const std::string& round,
                       const std::string& title, const std::string& by, long long at,
                       const std::string& content) {
  StoredBulletin b;
  b.campaign = campaign;
  b.year = year;
  b.number = number;
  b.round = round;
  b.title = title;
  b.issued_by = by;
  b.issued_at = FromMicros(at);
  json::value v = json::parse(content);
  if (v.is_object()) b.content = std::move(v.as_object());
  return b;
}

std::string ReadFile(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

Result<BulletinTemplates> LoadBulletinTemplates(const std::string& folder) {
  BulletinTemplates t;
  for (auto [lang, out] : {std::pair{"zh", &t.zh}, std::pair{"en", &t.en}}) {
    std::string path = folder + "/bulletin-document." + lang + ".html";
    bool ok = false;
    *out = ReadFile(path, ok);
    if (!ok) {
      return Error::FailedPrecondition("the bulletin template " + path +
                                       " cannot be read; bulletins are rendered from "
                                       "workflows/templates/bulletin-document.<lang>.html");
    }
  }
  return t;
}

namespace {

// The key and issuer of the campaign's first bulletin of `round` issued at or after `since`.
std::optional<engine::BulletinReceipt> IssuedSince(Database& db, const std::string& campaign,
                                                   const std::string& round, Timestamp since) {
  std::string name = campaign, r = round, by;
  long long from = ToMicros(since);
  int year = 0, number = 0;
  soci::indicator ind = soci::i_ok;
  db.session() << "SELECT year, number, issued_by FROM bulletins WHERE campaign = :campaign AND "
                  "round = :round AND issued_at >= :since ORDER BY issued_at LIMIT 1",
      soci::into(year, ind), soci::into(number), soci::into(by), soci::use(name), soci::use(r),
      soci::use(from);
  if (!db.session().got_data() || ind != soci::i_ok) return std::nullopt;
  return engine::BulletinReceipt{std::to_string(year) + "-" + std::to_string(number), by, false};
}

// IssueBulletin, or (with `once`) the bulletin of the request's round issued since then.
Result<StoredBulletin> Issue(Database& db, engine::Engine& engine,
                             const engine::BulletinRequest& request,
                             const BulletinTemplates& templates, bool dry_run,
                             std::optional<Timestamp> once,
                             std::optional<engine::BulletinReceipt>& found) {
  for (int attempt = 1;; ++attempt) {
    Latest latest;
    // The previous bulletin's time decides which measures this one reports, so it is read
    // before building; the number is read again in the transaction.
    try {
      latest = ReadLatest(db, request.campaign, 0);
    } catch (const std::exception& e) {
      return db.MapError(e, "read the bulletins of " + request.campaign);
    }
    auto content = engine::BuildBulletin(engine, request, latest.issued_at);
    if (!content) return content.error();
    auto campaign = engine.interpreter().definitions().FindCampaign(
        request.campaign, static_cast<int>(content->at("campaign_version").as_int64()));
    StoredBulletin b;
    b.campaign = request.campaign;
    b.year = engine::BulletinYear(*content);
    b.round = request.round;
    b.title = std::string(content->at("title").as_string());
    b.issued_by = request.admin ? request.admin_name : request.actor;
    b.issued_at = engine.clock().Now();
    b.dry_run = dry_run;
    auto finish = [&](int number) {
      b.number = number;
      engine::SetBulletinNumber(*content, b.year, number);
      b.content = *content;
      b.html_zh = engine::RenderBulletinHtml(b.content, "zh", templates.zh);
      b.html_en = engine::RenderBulletinHtml(b.content, "en", templates.en);
    };
    if (dry_run) {
      try {
        finish(ReadLatest(db, request.campaign, b.year).number + 1);
      } catch (const std::exception& e) {
        return db.MapError(e, "read the bulletins of " + request.campaign);
      }
      QueueMessages(db, *campaign, b, b.issued_at);
      return b;
    }
    Status s = InTransaction(db, "issue a bulletin of " + request.campaign, [&]() -> Status {
      if (once && (found = IssuedSince(db, request.campaign, request.round, *once))) {
        return OkStatus();
      }
      Latest now = ReadLatest(db, request.campaign, b.year);
      if (now.issued_at != latest.issued_at) {
        return Error::UniqueViolation("another bulletin was issued meanwhile");
      }
      finish(now.number + 1);
      std::string name = b.campaign, round = b.round, title = b.title, by = b.issued_by,
                  text = json::serialize(b.content), zh = b.html_zh, en = b.html_en;
      int year = b.year, number = b.number;
      long long at = ToMicros(b.issued_at);
      db.session() << "INSERT INTO bulletins (campaign, year, number, round, title, issued_by, "
                      "issued_at, content, html_zh, html_en) VALUES (:campaign, :year, :number, "
                      ":round, :title, :by, :at, :content, :zh, :en)",
          soci::use(name), soci::use(year), soci::use(number), soci::use(round), soci::use(title),
          soci::use(by), soci::use(at), soci::use(text), soci::use(zh), soci::use(en);
      b.sent_to.clear();
      b.not_sent.clear();
      QueueMessages(db, *campaign, b, b.issued_at);
      return OkStatus();
    });
    if (s) return b;
    const ErrorCode code = s.error().code();
    if ((code == ErrorCode::kUniqueViolation || code == ErrorCode::kConflict) &&
        attempt < kIssueAttempts) {
      continue;
    }
    if (code == ErrorCode::kUniqueViolation) {
      return Error::Conflict("other bulletins of " + request.campaign +
                             " kept being issued at the same time; issue it again");
    }
    return s.error();
  }
}

}  // namespace

Result<StoredBulletin> IssueBulletin(Database& db, engine::Engine& engine,
                                     const engine::BulletinRequest& request,
                                     const BulletinTemplates& templates, bool dry_run) {
  std::optional<engine::BulletinReceipt> found;
  return Issue(db, engine, request, templates, dry_run, std::nullopt, found);
}

Result<engine::BulletinReceipt> SociBulletinDesk::IssueOnce(engine::Engine& engine,
                                                            const engine::BulletinRequest& request,
                                                            Timestamp counts_from) {
  std::optional<engine::BulletinReceipt> found;
  try {
    found = IssuedSince(db_, request.campaign, request.round, counts_from);
  } catch (const std::exception& e) {
    return db_.MapError(e, "read the bulletins of " + request.campaign);
  }
  if (found) return *found;
  auto b = Issue(db_, engine, request, templates_, /*dry_run=*/false, counts_from, found);
  if (!b) return b.error();
  if (found) return *found;
  return engine::BulletinReceipt{b->key(), b->issued_by, true};
}

Result<std::vector<StoredBulletin>> ListBulletins(Database& db, const std::string& campaign) {
  std::vector<StoredBulletin> out;
  try {
    std::string name = campaign, round, title, by, content;
    int year = 0, number = 0;
    long long at = 0;
    soci::statement st =
        (db.session().prepare << "SELECT year, number, round, title, issued_by, issued_at, content "
                                 "FROM bulletins WHERE campaign = :campaign "
                                 "ORDER BY issued_at, year, number",
         soci::into(year), soci::into(number), soci::into(round), soci::into(title), soci::into(by),
         soci::into(at), soci::into(content), soci::use(name));
    st.execute(false);
    while (st.fetch()) {
      out.push_back(FromRow(campaign, year, number, round, title, by, at, content));
    }
  } catch (const std::exception& e) {
    return db.MapError(e, "read the bulletins of " + campaign);
  }
  return out;
}

Result<StoredBulletin> LoadBulletin(Database& db, const std::string& campaign,
                                    const std::string& number) {
  auto digits = [](const std::string& s) {
    return !s.empty() && s.size() <= 6 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  std::size_t dash = number.find('-');
  std::string y = dash == std::string::npos ? "" : number.substr(0, dash);
  std::string n = dash == std::string::npos ? number : number.substr(dash + 1);
  if (!digits(n) || (dash != std::string::npos && (!digits(y) || y.size() != 4))) {
    return Error::BadInput("'" + number +
                           "' is not a bulletin number; write its number (5) or its year and "
                           "number (2017-5)");
  }
  auto all = ListBulletins(db, campaign);
  if (!all) return all.error();
  const StoredBulletin* found = nullptr;
  std::string numbers;
  for (const StoredBulletin& b : *all) {
    numbers += (numbers.empty() ? "" : ", ") + b.key();
    if (b.number != std::stoi(n) || (!y.empty() && b.year != std::stoi(y))) continue;
    if (!found || b.year > found->year) found = &b;
  }
  if (!found) {
    return Error::NotFound("campaign " + campaign + " has no bulletin " + number + "; " +
                           (numbers.empty() ? "it has issued none" : "it has " + numbers));
  }
  StoredBulletin b = *found;
  try {
    std::string name = campaign, zh, en;
    int year = b.year, num = b.number;
    db.session() << "SELECT html_zh, html_en FROM bulletins WHERE campaign = :campaign AND year = "
                    ":year AND number = :number",
        soci::into(zh), soci::into(en), soci::use(name), soci::use(year), soci::use(num);
    b.html_zh = zh;
    b.html_en = en;
  } catch (const std::exception& e) {
    return db.MapError(e, "read bulletin " + number + " of " + campaign);
  }
  return b;
}

json::object BulletinJson(const StoredBulletin& b) {
  json::object o{{"campaign", b.campaign},
                 {"year", b.year},
                 {"number", b.number},
                 {"key", b.key()},
                 {"number_label", engine::BulletinNumberLabel(b.year, b.number, "zh")},
                 {"number_label_en", engine::BulletinNumberLabel(b.year, b.number, "en")},
                 {"round", b.round.empty() ? json::value(nullptr) : json::value(b.round)},
                 {"title", b.title},
                 {"issued_by", b.issued_by},
                 {"issued_at", FormatIso(b.issued_at)},
                 {"content", b.content}};
  if (b.dry_run || !b.sent_to.empty() || !b.not_sent.empty()) {
    json::array to, not_sent;
    for (const auto& p : b.sent_to) to.emplace_back(p);
    for (const auto& u : b.not_sent) not_sent.emplace_back(u);
    o["sent_to"] = std::move(to);
    o["not_sent"] = std::move(not_sent);
    o["dry_run"] = b.dry_run;
  }
  return o;
}

}  // namespace rectify::store_soci
