// The bulletins a campaign schedules and who issues them (rectify/engine/bulletin.h).
#include <algorithm>

#include "rectify/engine/access.h"
#include "rectify/engine/bulletin.h"
#include "rectify/engine/campaign.h"

namespace rectify::engine {

Result<std::vector<ScheduledBulletin>> ScheduleBulletins(const definition::Campaign& c) {
  const definition::BulletinSettings& settings = c.bulletins();
  std::vector<ScheduledBulletin> out;
  // Plans as the scripted cadres planned them before a campaign run issued its bulletins itself.
  // The campaign's own dates run on the official calendar, not on its items' changed one (a
  // cancelled weekend rest makes Saturday a working day for deadlines, not for headquarters).
  const Calendar& official = c.calendar();
  auto plan = [&](const std::string& after, const std::string& round, Date day,
                  Timestamp counts_from) {
    const int n = settings.within_workdays;
    auto issue_day = n == 0 ? official.NextWorkday(day) : official.AddWorkdays(day, n);
    Timestamp at =
        official.AtLocalTime(issue_day ? *issue_day : day, std::chrono::minutes(10 * 60));
    out.push_back({after, round, day, at, counts_from});
  };
  for (const std::string& id : settings.after) {
    for (const definition::Checkpoint& cp : c.checkpoints()) {
      if (cp.id == id) plan(id, id, cp.to, official.StartOfDay(cp.from));
    }
    for (const definition::Recurring& r : c.recurring()) {
      if (r.id != id) continue;
      auto days = definition::Occurrences(r, official);
      if (!days) return days.error().WithContext("bulletins after " + id);
      for (Date d : *days) plan(id, "", d, official.AtLocalTime(d, official.working_hours().start));
    }
  }
  return out;
}

std::string ScheduledIssuer(const definition::Campaign& c, const ScheduledBulletin& s) {
  const definition::Org& org = c.org();
  const std::string role =
      c.bulletins().issued_by.empty() ? std::string(kDefaultBulletinRole) : c.bulletins().issued_by;
  // The org's top unit, as BuildBulletin checks the issuer against it.
  definition::UnitIndex top = definition::kNoIndex;
  for (std::size_t u = 0; u < org.units().size() && top == definition::kNoIndex; ++u) {
    if (org.units()[u].parent == definition::kNoIndex) top = static_cast<definition::UnitIndex>(u);
  }
  std::vector<std::string> holders;
  for (std::size_t i = 0; i < org.people().size(); ++i) {
    const auto p = static_cast<definition::PersonIndex>(i);
    if (HoldsRoleFor(org, p, role, top)) holders.push_back(org.person(p).id);
  }
  if (holders.empty()) return "";
  return holders[StableHash(c.info().name + "|" + s.after + "|" + FormatDate(s.day)) %
                 holders.size()];
}

}  // namespace rectify::engine
