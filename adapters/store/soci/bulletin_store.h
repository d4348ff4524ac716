// Bulletins kept and sent (migration 0022, table bulletins; the content is
// rectify/engine/bulletin.h's): issuing one builds it from the data at that moment, gives it the
// campaign's next number of the year, renders its HTML in zh and en, and queues one outbox row
// (message kind `bulletin`) per head of a unit in its scope, all in one transaction.
//
//   auto templates = LoadBulletinTemplates(home + "/workflows/templates");
//   auto b = IssueBulletin(db, engine, request, *templates, /*dry_run=*/false);
//   b->number;                                  // 5: "2017年第5期"
//   auto all = ListBulletins(db, "jinkouhe-2017");
//   auto one = LoadBulletin(db, "jinkouhe-2017", "2017-5");   // or "5": the latest year's No. 5
//
// Two nodes issuing at once: both read the same last number and one insert fails on the primary
// key; that one builds its bulletin again (its measures are now those since the other's) and
// takes the next number. So numbers are dense and never reused.
//
// Thread-safety: as the Database (one thread at a time); `engine` reads through its own store.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "adapters/store/soci/database.h"
#include "rectify/engine/bulletin.h"
#include "rectify/engine/engine.h"

namespace rectify::store_soci {

struct StoredBulletin {
  std::string campaign;
  int year = 0;
  int number = 0;
  std::string round;  // empty: none named
  std::string title;
  std::string issued_by;  // a person id, or an administrator's account
  Timestamp issued_at;
  boost::json::object content;
  std::string html_zh, html_en;  // empty when listed (ListBulletins)
  // The people it was sent to (one outbox row each), when issued now; units whose head is nobody
  // are named in `not_sent`.
  std::vector<std::string> sent_to;
  std::vector<std::string> not_sent;
  bool dry_run = false;

  std::string key() const { return std::to_string(year) + "-" + std::to_string(number); }
};

// The document templates: bulletin-document.zh.html and bulletin-document.en.html of `folder`.
// kFailedPrecondition naming the missing file.
struct BulletinTemplates {
  std::string zh, en;
};
Result<BulletinTemplates> LoadBulletinTemplates(const std::string& folder);

// Issues a bulletin as the top of this file says; with `dry_run` builds and renders it with the
// number it would get, and changes nothing. Errors: BuildBulletin's; kConflict after several
// nodes kept taking the number first.
Result<StoredBulletin> IssueBulletin(Database& db, engine::Engine& engine,
                                     const engine::BulletinRequest& request,
                                     const BulletinTemplates& templates, bool dry_run);

// The SOCI store's bulletin desk (engine/bulletin.h; SociStore delegates to it): a campaign run
// issues the bulletins its `bulletins:` schedules here, numbered and sent as IssueBulletin does.
// IssueOnce looks for a bulletin of the same round issued since `counts_from` before building
// one and again in the transaction that would insert it, so a firing repeated after a crash, or a
// bulletin issued by hand meanwhile, is not issued twice. Its documents are rendered from the
// templates given (soci_store.h: SetBulletinTemplates); without them they are kept without HTML.
class SociBulletinDesk final : public engine::BulletinDesk {
 public:
  explicit SociBulletinDesk(Database& db) : db_(db) {}
  void set_templates(BulletinTemplates templates) { templates_ = std::move(templates); }
  Result<engine::BulletinReceipt> IssueOnce(engine::Engine& engine,
                                            const engine::BulletinRequest& request,
                                            Timestamp counts_from) override;

 private:
  Database& db_;
  BulletinTemplates templates_;
};

// The campaign's bulletins, oldest first, without their HTML.
Result<std::vector<StoredBulletin>> ListBulletins(Database& db, const std::string& campaign);

// One bulletin by "YEAR-N" or "N" (the latest year that has a number N). kBadInput for another
// form; kNotFound naming the numbers there are.
Result<StoredBulletin> LoadBulletin(Database& db, const std::string& campaign,
                                    const std::string& number);

// The bulletin as JSON for the API and `bulletin show --format json`: campaign, year, number,
// number_label, key, round, title, issued_by, issued_at, content (and sent_to, not_sent,
// dry_run when issued now).
boost::json::object BulletinJson(const StoredBulletin& b);

}  // namespace rectify::store_soci
