// A campaign's `calendar_changes:`: the county's own changes to the official calendar for the
// deadlines of the campaign's items (seed 001: during the special rectification "the county
// poverty alleviation office canceled the weekend break").
//
//   calendar_changes:
//     - id: weekend_break_cancelled
//       cancel: weekend_rest
//       during: special_rectification      # a checkpoint's window, or from:/to:
//     - id: county_rest
//       rest: [2017-08-14, 2017-10-09..2017-10-10]
//
// Cancelling weekend rest makes the span's weekend days working days, except the official
// holidays inside it (Labour Day stays a holiday). Rest days make working days rest days. A
// change that the official calendar already makes, or that another change undoes, makes no sense
// and is an error at its position, as is a change outside the campaign's own dates.
#include <algorithm>
#include <map>
#include <set>

#include "compile.h"

namespace rectify::definition::internal {
namespace {

namespace chr = std::chrono;

int YearOf(Date d) { return static_cast<int>(chr::year_month_day{d}.year()); }

bool OfficialHoliday(const CalendarSpec& spec, Date d) {
  auto y = spec.years.find(YearOf(d));
  return y != spec.years.end() && y->second.holidays.count(d) > 0;
}

bool OfficialMakeUpDay(const CalendarSpec& spec, Date d) {
  auto y = spec.years.find(YearOf(d));
  return y != spec.years.end() && y->second.workdays.count(d) > 0;
}

bool InWorkweek(const CalendarSpec& spec, Date d) {
  return spec.workweek[chr::weekday{d}.c_encoding()];
}

class ChangesReader {
 public:
  ChangesReader(DocContext& doc, Campaign::Parts& parts, bool have_span)
      : doc_(doc), parts_(parts), have_span_(have_span), spec_(parts.calendar->spec()) {}

  void Read(const YAML::Node& node) {
    if (!IsList(node)) {
      doc_.Error(node, "calendar_changes",
                 "expected a list of calendar changes, found " + Describe(node),
                 "for example: - { id: weekend_break_cancelled, cancel: weekend_rest, "
                 "during: special_rectification }");
      return;
    }
    std::size_t errors_before = doc_.error_count();
    std::set<std::string> ids;
    for (std::size_t i = 0; i < node.size(); ++i) {
      std::string p = IndexPath("calendar_changes", i);
      MapReader m(doc_, node[i], p);
      if (!m.valid()) continue;
      CalendarChange c;
      c.pos = doc_.Pos(node[i]);
      c.id = m.String("id", true).value_or("");
      if (!c.id.empty() && !ids.insert(c.id).second) {
        doc_.Error(m.Get("id"), m.PathOf("id"), "duplicate calendar change '" + c.id + "'");
      }
      c.title = m.String("title").value_or("");
      YAML::Node cancel = m.Get("cancel");
      YAML::Node rest = m.Get("rest");
      YAML::Node during = m.Get("during");
      YAML::Node from = m.Get("from");
      YAML::Node to = m.Get("to");
      m.Finish();
      if (cancel.IsDefined() == rest.IsDefined()) {
        doc_.Error(node[i], p, "a calendar change needs exactly one of 'cancel' and 'rest'",
                   "cancel: weekend_rest (with during: or from:/to:), or rest: [DATE, ...]");
        continue;
      }
      if (cancel.IsDefined()) {
        c.kind = CalendarChange::Kind::kCancelWeekendRest;
        if (auto what = AsString(doc_, cancel, m.PathOf("cancel")); what) {
          if (*what != "weekend_rest") {
            doc_.Error(cancel, m.PathOf("cancel"), "unknown rest to cancel '" + *what + "'",
                       SuggestHint(*what, {"weekend_rest"},
                                   "only weekend_rest can be cancelled; official holidays stay"));
            continue;
          }
        } else {
          continue;
        }
        if (!ReadSpanOf(c, m, node[i], during, from, to)) continue;
        CancelWeekendRest(c, node[i], p);
      } else {
        c.kind = CalendarChange::Kind::kRestDays;
        for (const YAML::Node* n : {&during, &from, &to}) {
          if (n->IsDefined()) {
            doc_.Error(*n, p, "rest days are listed in 'rest' itself, not given a span",
                       "write rest: [2017-08-14] or a range rest: [2017-10-09..2017-10-10]");
          }
        }
        ReadRestDays(c, rest, m.PathOf("rest"));
      }
      if (!c.days.empty()) changes_.push_back(std::move(c));
    }
    CheckConflicts();
    if (doc_.error_count() > errors_before || changes_.empty()) return;
    WarnItemsOnOtherCalendar(node);
    CalendarSpec spec = spec_;
    for (const CalendarChange& c : changes_) {
      for (Date d : c.days) {
        CalendarYear& y = spec.years[YearOf(d)];
        if (c.kind == CalendarChange::Kind::kCancelWeekendRest) {
          y.workdays.insert(d);
        } else {
          y.holidays.insert(d);
        }
      }
    }
    auto changed = Calendar::Create(std::move(spec));
    if (!changed) {
      doc_.Error(node, "calendar_changes", changed.error().message());
      return;
    }
    parts_.item_calendar = std::make_shared<const Calendar>(std::move(*changed));
    parts_.calendar_changes = std::move(changes_);
  }

 private:
  // The span of a cancellation: a checkpoint's window (during:) or from:/to:, inside the
  // campaign and the calendar's years.
  bool ReadSpanOf(CalendarChange& c, MapReader& m, const YAML::Node& at, const YAML::Node& during,
                  const YAML::Node& from, const YAML::Node& to) {
    if (during.IsDefined() == (from.IsDefined() || to.IsDefined())) {
      doc_.Error(at, m.path(), "cancelling weekend rest needs either 'during' or 'from'/'to'",
                 "during: special_rectification, or from: 2017-04-21 with to: 2017-05-21");
      return false;
    }
    if (during.IsDefined()) {
      auto id = AsString(doc_, during, m.PathOf("during"));
      if (!id) return false;
      std::vector<std::string> known;
      for (const Checkpoint& cp : parts_.checkpoints) {
        known.push_back(cp.id);
        if (cp.id != *id) continue;
        c.during = cp.id;
        c.from = cp.from;
        c.to = cp.to;
      }
      if (c.during.empty()) {
        doc_.Error(during, m.PathOf("during"), "no checkpoint '" + *id + "' in this campaign",
                   SuggestHint(*id, known, "name a checkpoint's id, or give from:/to:"));
        return false;
      }
      return InCampaign(c, during, m.PathOf("during"));
    }
    if (!from.IsDefined() || !to.IsDefined()) {
      const YAML::Node& given = from.IsDefined() ? from : to;
      doc_.Error(given, m.PathOf(from.IsDefined() ? "from" : "to"),
                 std::string("give both 'from' and 'to'; '") + (from.IsDefined() ? "to" : "from") +
                     "' is missing");
      return false;
    }
    auto f = AsDate(doc_, from, m.PathOf("from"));
    auto t = AsDate(doc_, to, m.PathOf("to"));
    if (!f || !t) return false;
    if (!CheckCovered(doc_, from, m.PathOf("from"), parts_.calendar.get(), *f) ||
        !CheckCovered(doc_, to, m.PathOf("to"), parts_.calendar.get(), *t)) {
      return false;
    }
    if (*t < *f) {
      doc_.Error(to, m.PathOf("to"),
                 "the span ends (" + FormatDate(*t) + ") before it begins (" + FormatDate(*f) + ")",
                 "swap from and to");
      return false;
    }
    c.from = *f;
    c.to = *t;
    return InCampaign(c, from, m.PathOf("from"));
  }

  bool InCampaign(const CalendarChange& c, const YAML::Node& at, const std::string& path) {
    if (!have_span_ || (c.from >= parts_.from && c.to <= parts_.to)) return true;
    doc_.Error(at, path,
               "calendar change '" + c.id + "' (" + FormatDate(c.from) + ".." + FormatDate(c.to) +
                   ") reaches outside the campaign (" + FormatDate(parts_.from) + ".." +
                   FormatDate(parts_.to) + ")",
               "a campaign changes the calendar only for its own dates; shorten the span");
    return false;
  }

  void CancelWeekendRest(CalendarChange& c, const YAML::Node& at, const std::string& path) {
    int weekend_days = 0;
    for (Date d = c.from; d <= c.to; d += chr::days(1)) {
      if (InWorkweek(spec_, d)) continue;
      ++weekend_days;
      // A holiday's weekend days and the make-up working days are the State Council's to set.
      if (OfficialHoliday(spec_, d) || OfficialMakeUpDay(spec_, d)) continue;
      c.days.push_back(d);
    }
    if (!c.days.empty()) return;
    doc_.Error(at, path,
               "calendar change '" + c.id + "' changes nothing: " +
                   (weekend_days == 0 ? std::string("its span has no weekend day")
                                      : "every weekend day of its span is an official holiday "
                                        "or make-up working day already") +
                   " (" + FormatDate(c.from) + ".." + FormatDate(c.to) + ")",
               "remove it, or give the span it was meant for");
  }

  void ReadRestDays(CalendarChange& c, const YAML::Node& node, const std::string& path) {
    for (const StringItem& item : AsStringList(doc_, node, path)) {
      const std::string& text = item.value;
      auto dots = text.find("..");
      auto first = ParseDate(dots == std::string::npos ? text : text.substr(0, dots));
      auto last = ParseDate(dots == std::string::npos ? text : text.substr(dots + 2));
      if (!first || !last) {
        doc_.Error(item.node, item.path, (first ? last : first).error().message(),
                   "write a date as 2017-08-14 or a range as 2017-10-09..2017-10-10");
        continue;
      }
      if (*last < *first) {
        doc_.Error(item.node, item.path, "the range " + text + " runs backwards",
                   "write the earlier date first");
        continue;
      }
      if (!CheckCovered(doc_, item.node, item.path, parts_.calendar.get(), *first) ||
          !CheckCovered(doc_, item.node, item.path, parts_.calendar.get(), *last)) {
        continue;
      }
      CalendarChange span = c;
      span.from = *first;
      span.to = *last;
      if (!InCampaign(span, item.node, item.path)) continue;
      for (Date d = *first; d <= *last; d += chr::days(1)) {
        std::string why;
        const std::string on = " on calendar '" + spec_.name + "'";
        if (OfficialHoliday(spec_, d)) {
          why = "an official holiday" + on + " already";
        } else if (OfficialMakeUpDay(spec_, d)) {
          why = "an official make-up working day (调休)" + on +
                ", which the State Council set and a campaign cannot give back as rest";
        } else if (!InWorkweek(spec_, d)) {
          why = "a weekend day, a rest day" + on + " already";
        }
        if (!why.empty()) {
          doc_.Error(item.node, item.path, FormatDate(d) + " is " + why,
                     "list only working days as the campaign's rest days");
          continue;
        }
        if (std::find(c.days.begin(), c.days.end(), d) != c.days.end()) {
          doc_.Error(item.node, item.path,
                     FormatDate(d) + " is listed twice in calendar change '" + c.id + "'",
                     "list it once");
          continue;
        }
        c.days.push_back(d);
        rest_nodes_[d] = item;
      }
    }
  }

  // Rest days are working days and a cancellation touches only weekend days, so the two never
  // meet; the same rest day in two changes, or two cancellations over the same days, are slips.
  void CheckConflicts() {
    std::map<Date, std::string> rest_by;
    for (const CalendarChange& c : changes_) {
      if (c.kind != CalendarChange::Kind::kRestDays) continue;
      for (Date d : c.days) {
        auto [it, fresh] = rest_by.emplace(d, c.id);
        if (fresh) continue;
        const StringItem& item = rest_nodes_[d];
        doc_.Error(item.node, item.path,
                   FormatDate(d) + " is a rest day of calendar change '" + it->second + "' already",
                   "list it once");
      }
    }
    for (std::size_t a = 0; a < changes_.size(); ++a) {
      for (std::size_t b = a + 1; b < changes_.size(); ++b) {
        const CalendarChange& x = changes_[a];
        const CalendarChange& y = changes_[b];
        if (x.kind != CalendarChange::Kind::kCancelWeekendRest || x.kind != y.kind) continue;
        if (y.from > x.to || x.from > y.to) continue;
        doc_.ErrorAt(y.pos, "calendar_changes",
                     "calendar change '" + y.id + "' (" + FormatDate(y.from) + ".." +
                         FormatDate(y.to) + ") overlaps '" + x.id + "' (" + FormatDate(x.from) +
                         ".." + FormatDate(x.to) + "), which cancels weekend rest already",
                     "merge them into one span");
      }
    }
  }

  // The changes hold for the items' deadlines only when their workflow runs on the campaign's
  // calendar (engine/campaign_items.h: ItemCalendar).
  void WarnItemsOnOtherCalendar(const YAML::Node& node) {
    const auto& wf = parts_.items.workflow;
    if (!wf || !wf->calendar() || wf->calendar()->name() == spec_.name) return;
    doc_.Warning(node, "calendar_changes",
                 "the calendar changes cannot take effect on the items: their workflow " +
                     wf->info().Label() + " runs on calendar '" + wf->calendar()->name() +
                     "', not on the campaign's '" + spec_.name + "'",
                 "give the workflow calendar: " + spec_.name);
  }

  DocContext& doc_;
  Campaign::Parts& parts_;
  bool have_span_;
  const CalendarSpec& spec_;
  std::vector<CalendarChange> changes_;
  std::map<Date, StringItem> rest_nodes_;
};

}  // namespace

void ReadCalendarChanges(DocContext& doc, const YAML::Node& node, Campaign::Parts& parts,
                         bool have_span) {
  ChangesReader(doc, parts, have_span).Read(node);
}

}  // namespace rectify::definition::internal
