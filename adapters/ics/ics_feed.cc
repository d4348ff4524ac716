#include "adapters/ics/ics_feed.h"

#include <date/date.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "adapters/ics/ics_writer.h"
#include "rectify/calendar/deadline.h"
#include "rectify/engine/access.h"
#include "rectify/engine/campaign_items.h"
#include "rectify/engine/instance.h"
#include "rectify/engine/instance_pages.h"
#include "rectify/instance/deadline_clock.h"
#include "rectify/sha256.h"

namespace rectify::ics {

namespace {

constexpr std::int64_t kPage = 1000;

std::string UtcStamp(Timestamp t) {
  return date::format("%Y%m%dT%H%M%SZ", std::chrono::floor<std::chrono::seconds>(t));
}

std::string DateValue(Date d) {
  std::chrono::year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

// The people who own the deadline of the instance's current state (see ics_feed.h).
std::set<std::string> DeadlineOwners(const engine::Instance& i, const definition::Workflow& wf,
                                     const definition::State& state, const definition::Org& org) {
  std::set<std::string> out;
  const auto& owner = state.deadline.owner;
  if (!owner) {
    out.insert(i.responsible);
    return out;
  }
  using Base = definition::RolePath::Base;
  if (owner->base == Base::kItemRole) {
    if (owner->name == "responsible") out.insert(i.responsible);
    if (owner->name == "owner") out.insert(i.owner);
    if (owner->name == "registrar") out.insert(i.registrar);
    if (owner->name == "reporter") out.insert(i.Field("reporter"));
    return out;
  }
  if (owner->base == Base::kPerson) {
    out.insert(owner->name);
    return out;
  }
  if (owner->base == Base::kNamed && owner->is_field) {
    // An empty field reads as the org role of its name, as the engine resolves it.
    for (auto& p : engine::ResolvePeople(org, wf, i, *owner)) out.insert(p);
    return out;
  }
  auto unit = org.FindUnit(i.record.unit_id);
  auto responsible = org.FindPerson(i.responsible);
  if (!unit) return out;
  for (auto p : org.Resolve(*owner, *unit, responsible ? *responsible : definition::kNoIndex)) {
    out.insert(org.person(p).id);
  }
  return out;
}

std::string UnitPath(const definition::Org& org, const std::string& unit_id) {
  auto u = org.FindUnit(unit_id);
  if (!u) return unit_id;
  std::vector<std::string> names;
  for (auto i = *u; i != definition::kNoIndex; i = org.unit(i).parent) {
    names.push_back(org.unit(i).name);
  }
  std::string out;
  for (auto it = names.rbegin(); it != names.rend(); ++it) out += (out.empty() ? "" : " / ") + *it;
  return out;
}

struct Event {
  Timestamp deadline;
  std::string item;
  std::string text;  // the VEVENT's lines
};

// Whether `org` knows the query's person or unit.
bool Knows(const definition::Org& org, const FeedQuery& q) {
  return q.person ? org.FindPerson(*q.person).has_value() : org.FindUnit(*q.unit).has_value();
}

class FeedBuilder {
 public:
  FeedBuilder(const definition::DefinitionSet& defs, const FeedQuery& q) : defs_(defs), q_(q) {}

  Status Add(const engine::Instance& i) {
    auto wf = defs_.FindWorkflow(i.record.workflow, static_cast<int>(i.record.workflow_version));
    auto org = defs_.FindOrg(i.org, i.org_version);
    if (!wf || !org || !wf->calendar()) return OkStatus();
    auto si = wf->FindState(i.record.state);
    if (!si) return OkStatus();
    const definition::State& state = wf->state(*si);
    const engine::StateClock* sc = i.CurrentClock();
    if (state.final || sc == nullptr || sc->clock.phase == ClockPhase::kStopped) return OkStatus();
    if (!Selected(i, *wf, state, *org)) return OkStatus();

    const Calendar& cal = *engine::ItemCalendar(defs_, *wf, i.record.campaign);
    DeadlineClock dc(cal, sc->clock);
    auto deadline = dc.Deadline(q_.stamp);
    if (!deadline) return deadline.error().WithContext("item " + i.record.id);
    if (time_zone_.empty()) time_zone_ = cal.time_zone_name();
    Date day = DeadlineDay(cal, *deadline);
    bool all_day = cal.DateOf(*deadline) != day;  // it ends at local 24:00 of `day`
    bool paused = sc->clock.phase == ClockPhase::kPaused;

    IcsWriter w;
    w.Line("BEGIN", "VEVENT");
    w.Line("UID", Sha256Hex(i.record.id + "\n" + state.id + "\n" +
                            std::to_string(ToMicros(sc->clock.anchor)))
                          .substr(0, 32) +
                      "@rectify");
    w.Line("DTSTAMP", UtcStamp(q_.stamp));
    w.Line("SEQUENCE", std::to_string(sc->clock.generation));
    if (all_day) {
      w.Line("DTSTART;VALUE=DATE", DateValue(day));
      w.Line("DTEND;VALUE=DATE", DateValue(day + date::days(1)));
      w.Line("TRANSP", "TRANSPARENT");
    } else {
      w.Line("DTSTART", UtcStamp(*deadline));
    }
    std::string title = i.title.empty() ? i.record.id : i.title;
    w.Text("SUMMARY", (paused ? "[暂停 paused] " : "") + title + " (" + i.record.id + ")");
    std::string responsible = i.responsible;
    if (auto p = org->FindPerson(i.responsible)) {
      responsible = org->person(*p).name + " (" + i.responsible + ")";
    }
    std::string state_name = state.title.empty() ? state.id : state.title + " (" + state.id + ")";
    w.Text("DESCRIPTION",
           "事项 item: " + i.record.id + "\n单位 unit: " + UnitPath(*org, i.record.unit_id) +
               "\n责任人 responsible: " + responsible + "\n状态 state: " + state_name +
               "\n期限 deadline: " + FormatDate(day) + " (" + cal.FormatLocal(*deadline) + ")" +
               (paused ? "\n暂停 paused: the deadline moves while it is paused" : ""));
    w.Text("CATEGORIES", i.record.workflow);
    w.Line("STATUS", "CONFIRMED");
    if (!paused) {
      for (const auto& reminder : state.reminders) {
        // When the engine sends the reminder (ReminderAt): a `0` on a day deadline rings when the
        // deadline day's working hours start, not at local 24:00.
        auto at = ReminderAt(cal, *deadline, reminder.offset);
        if (!at) continue;  // a reminder day outside the calendar's years: no alarm, no guess
        w.Line("BEGIN", "VALARM");
        w.Line("ACTION", "DISPLAY");
        w.Text("DESCRIPTION", title + " (" + i.record.id + "): " + FormatDate(day));
        w.Line("TRIGGER;VALUE=DATE-TIME", UtcStamp(*at));
        w.Line("END", "VALARM");
      }
    }
    w.Line("END", "VEVENT");
    events_.push_back({*deadline, i.record.id, w.str()});
    return OkStatus();
  }

  std::string Finish(const std::string& name) {
    std::sort(events_.begin(), events_.end(), [](const Event& a, const Event& b) {
      return a.deadline != b.deadline ? a.deadline < b.deadline : a.item < b.item;
    });
    IcsWriter w;
    w.Line("BEGIN", "VCALENDAR");
    w.Line("VERSION", "2.0");
    w.Line("PRODID", "-//Rectify//Rectify deadlines//ZH");
    w.Line("CALSCALE", "GREGORIAN");
    w.Line("METHOD", "PUBLISH");
    w.Text("X-WR-CALNAME", name + " 期限 deadlines");
    if (!time_zone_.empty()) w.Line("X-WR-TIMEZONE", time_zone_);
    std::string out = w.str();
    for (const auto& e : events_) out += e.text;
    out += Fold("END:VCALENDAR");
    return out;
  }

 private:
  bool Selected(const engine::Instance& i, const definition::Workflow& wf,
                const definition::State& state, const definition::Org& org) const {
    if (q_.person) return DeadlineOwners(i, wf, state, org).count(*q_.person) > 0;
    auto outer = org.FindUnit(*q_.unit);
    auto inner = org.FindUnit(i.record.unit_id);
    return outer && inner && org.Within(*inner, *outer);
  }

  const definition::DefinitionSet& defs_;
  const FeedQuery& q_;
  std::string time_zone_;
  std::vector<Event> events_;
};

}  // namespace

Result<std::string> WriteFeed(Store& store, const definition::DefinitionSet& definitions,
                              const FeedQuery& query) {
  if (query.person.has_value() == query.unit.has_value()) {
    return Error::BadInput("a feed is of one person or one unit: give exactly one");
  }
  std::string name;
  for (const auto& info : definitions.All()) {
    if (info.kind != definition::Kind::kOrg) continue;
    auto org = definitions.FindOrg(info.name, info.version);
    if (!org || !Knows(*org, query)) continue;
    if (query.person) {
      name = org->person(*org->FindPerson(*query.person)).name;
    } else {
      name = org->unit(*org->FindUnit(*query.unit)).name;
    }
  }
  if (name.empty()) {
    return Error::NotFound(query.person ? "no person '" + *query.person + "' in the loaded orgs"
                                        : "no unit '" + *query.unit + "' in the loaded orgs");
  }

  FeedBuilder feed(definitions, query);
  InstanceFilter filter;
  filter.limit = kPage;
  Status listed = engine::ForEachInstancePage(
      store, filter, [&](std::vector<InstanceRecord>& page) -> Result<bool> {
        for (const InstanceRecord& r : page) {
          auto inst = engine::InstanceOf(r);
          if (!inst) return inst.error();
          if (query.include && !query.include(*inst)) continue;
          if (Status s = feed.Add(*inst); !s) return s.error();
        }
        return true;
      });
  if (!listed) return listed.error();
  return feed.Finish(name);
}

}  // namespace rectify::ics
