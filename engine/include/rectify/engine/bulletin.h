// Bulletins (通报, issue 15 point 2): the numbered documents headquarters issues during a campaign
// ("2017年第5期", seed 001's 一调度一考核一通报一排队; seed 000's "issued bulletin 5"), built from
// the data at issue time and frozen from then on.
//
// A bulletin says, for the units in its scope (the campaign's `bulletins: { scope: }` kinds, or
// the org's top unit's direct children; `--scope` names others):
//   - the findings of an inspection round, when one is named (findings.h), per unit;
//   - the items overdue at issue time, per unit (item_view.h's deadline);
//   - the escalation measures taken since the previous bulletin of the campaign (the letters,
//     interviews, suspensions and criticisms of the items' chains, by time or by judgment);
//   - the ranking of the campaign's latest published assessment period, if any (assessment.h).
// Its number counts per campaign per calendar year of its issue date, from 1, dense; the store
// gives it (adapters/store/soci/bulletin_store.h), so this file builds and renders the content
// only. The content is a JSON object (BuildBulletin), kept as issued, and the HTML is rendered
// from it and a template (workflows/templates/bulletin-document.<lang>.html) at issue time.
//
//   BulletinRequest r{.campaign = "jinkouhe-2017", .round = "", .actor = "jkh-04"};
//   auto content = BuildBulletin(engine, r, previous_issued_at);   // checks the role, reads data
//   SetBulletinNumber(*content, 2017, 5);                          // "2017年第5期"
//   std::string html = RenderBulletinHtml(*content, "zh", template_text);
//
// Thread-safety: functions of one thread, like the Engine they use.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "rectify/definition/campaign.h"
#include "rectify/engine/engine.h"
#include "rectify/result.h"

namespace rectify::engine {

// The role that issues bulletins when the campaign names none: the inspectors of headquarters.
inline constexpr const char* kDefaultBulletinRole = "inspector";
// The outbox template (message kind) of a bulletin sent to a unit.
inline constexpr const char* kBulletinMessage = "bulletin";

struct BulletinRequest {
  std::string campaign;
  std::string round;               // an inspection checkpoint of the campaign; empty: none
  std::vector<std::string> scope;  // unit ids or kinds; empty: the campaign's
  std::string title;               // empty: made from the campaign and the round
  std::string actor;               // a person id; empty with `admin`
  bool admin = false;              // an API administrator: no role needed (issued in their name)
  std::string admin_name;          // the administrator's account, for the record
};

// Builds the content of a bulletin of `request` at engine.clock().Now(), its measures those taken
// since `since` (the previous bulletin's issue; nullopt: since the campaign began). Checks:
// kNotFound for an unknown or unstarted campaign, a round the campaign does not have, a scope
// unit or kind the org does not have; kPermissionDenied for an actor who does not hold the
// issuing role over the org's top unit. The number is left for SetBulletinNumber.
Result<boost::json::object> BuildBulletin(Engine& engine, const BulletinRequest& request,
                                          std::optional<Timestamp> since);

// The year a bulletin built at `content` counts its number in (its issue date's year).
int BulletinYear(const boost::json::object& content);
// Sets number, year and number_label {"zh": "2017年第5期", "en": "2017 No. 5"}.
void SetBulletinNumber(boost::json::object& content, int year, int number);
// "2017年第5期" or "2017 No. 5".
std::string BulletinNumberLabel(int year, int number, const std::string& lang);

// One part of a bulletin as people read it, in one language: a heading, lines of text, and a
// table (header and rows) when it has one. HTML and PDF are both drawn from these.
struct BulletinSection {
  std::string heading;
  std::vector<std::string> lines;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};
struct BulletinOutline {
  std::string number_label;  // 2017年第5期
  std::string title;
  std::string issuer;     // the issuing unit's name
  std::string issued_on;  // 2017-04-21, or 2017年4月21日 in zh
  std::string scope;      // "金口河区 (区级) 14 个单位" as the language writes it
  std::vector<BulletinSection> sections;
};
// `lang`: "zh" or "en" (anything else is read as zh).
BulletinOutline OutlineBulletin(const boost::json::object& content, const std::string& lang);

// The HTML document: `templ` with {{number_label}}, {{title}}, {{issuer}}, {{issued_on}},
// {{scope}}, {{campaign}} filled (escaped) and {{body}} replaced by the sections as HTML.
std::string RenderBulletinHtml(const boost::json::object& content, const std::string& lang,
                               const std::string& templ);

// A bulletin the campaign's `bulletins: { after: [...], within: }` schedules: `within` working
// days (on the campaign's official calendar; 0: the next working day) after the last day of each
// checkpoint listed (the bulletin names it as its round) and after the day of each occurrence of
// each recurring event listed, at 10:00 local time. The campaign run arms one durable timer per
// bulletin (TimerName::Bulletin) and issues it when it fires (campaign.h: FireCampaign), in
// `rectify serve`, `rectify tick` and a rehearsal alike.
struct ScheduledBulletin {
  std::string after;  // the checkpoint's or the recurring event's id
  std::string round;  // the checkpoint's id; empty after a recurring event
  Date day;           // the checkpoint's last day, or the occurrence's day
  Timestamp at;       // when it is issued
  // A bulletin of the same round issued at or after this instant (by hand: `rectify bulletin`,
  // POST .../bulletins) is this one, which is then not issued again: the checkpoint's first day,
  // or the occurrence's start of working hours.
  Timestamp counts_from;
};
// Every bulletin `c` schedules, in the order of its `after` list. kBadInput when a recurring
// event's occurrences cannot be listed.
Result<std::vector<ScheduledBulletin>> ScheduleBulletins(const definition::Campaign& c);
// Who issues a scheduled bulletin in the run's name: one of the people holding the issuing role
// over the org's top unit (the same one every time for the same bulletin, from a StableHash of its
// campaign, event and day, so the duty rotates among them); empty when nobody holds it.
std::string ScheduledIssuer(const definition::Campaign& c, const ScheduledBulletin& s);

// What issuing a scheduled bulletin did.
struct BulletinReceipt {
  std::string key;          // "2017-5"
  std::string issued_by;    // a person id
  bool issued_now = false;  // false: one of the same round was issued before (counts_from on)
};

// Where bulletins are numbered, kept and sent: a Store that keeps them implements this too (the
// SOCI store, in its database: adapters/store/soci/bulletin_store.h), and a campaign run firing a
// scheduled bulletin asks its store for it. Thread-safety: as its store.
class BulletinDesk {
 public:
  virtual ~BulletinDesk() = default;
  // Issues `request` at engine.clock().Now(), numbered and sent as a bulletin issued by hand,
  // unless the campaign has a bulletin of the request's round (empty: one naming no round) issued
  // at or after `counts_from`: then it returns that one's key with issued_now false. Errors:
  // BuildBulletin's, and the store's.
  virtual Result<BulletinReceipt> IssueOnce(Engine& engine, const BulletinRequest& request,
                                            Timestamp counts_from) = 0;
};

// The payload of the message a unit head is sent (kBulletinMessage): campaign, number_label,
// title, issued_on, issuer, unit, unit_name, findings and overdue counts of that unit.
boost::json::object BulletinMessagePayload(const boost::json::object& content,
                                           const std::string& unit);

}  // namespace rectify::engine
