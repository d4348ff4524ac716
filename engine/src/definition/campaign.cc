#include "rectify/definition/campaign.h"

namespace rectify::definition {

namespace chr = std::chrono;

std::string_view CheckpointKindName(CheckpointKind k) {
  switch (k) {
    case CheckpointKind::kInspection:
      return "inspection";
    case CheckpointKind::kRectification:
      return "rectification";
    case CheckpointKind::kSubmission:
      return "submission";
    case CheckpointKind::kLookBack:
      return "look_back";
  }
  return "inspection";
}

std::string_view EveryName(Every e) {
  switch (e) {
    case Every::kWeek:
      return "week";
    case Every::kMonth:
      return "month";
    case Every::kQuarter:
      return "quarter";
    case Every::kYear:
      return "year";
  }
  return "month";
}

const Phase* Campaign::PhaseAt(Date d) const {
  for (const auto& p : parts_.phases) {
    if (d >= p.from && d <= p.to) return &p;
  }
  return nullptr;
}

Date PeriodStart(Every every, Date d) {
  chr::year_month_day ymd{d};
  switch (every) {
    case Every::kWeek: {
      chr::weekday wd{d};
      int back = (static_cast<int>(wd.c_encoding()) + 6) % 7;  // weeks start on Monday
      return d - chr::days(back);
    }
    case Every::kMonth:
      return Date(ymd.year() / ymd.month() / chr::day(1));
    case Every::kQuarter: {
      unsigned m = static_cast<unsigned>(ymd.month());
      unsigned first = ((m - 1) / 3) * 3 + 1;
      return Date(ymd.year() / chr::month(first) / chr::day(1));
    }
    case Every::kYear:
      return Date(ymd.year() / chr::January / chr::day(1));
  }
  return d;
}

Date PeriodAfter(Every every, Date start) {
  chr::year_month_day ymd{start};
  switch (every) {
    case Every::kWeek:
      return start + chr::days(7);
    case Every::kMonth:
      return Date(ymd + chr::months(1));
    case Every::kQuarter:
      return Date(ymd + chr::months(3));
    case Every::kYear:
      return Date(ymd + chr::years(1));
  }
  return start;
}

Date PeriodBefore(Every every, Date start) {
  chr::year_month_day ymd{start};
  switch (every) {
    case Every::kWeek:
      return start - chr::days(7);
    case Every::kMonth:
      return Date(ymd - chr::months(1));
    case Every::kQuarter:
      return Date(ymd - chr::months(3));
    case Every::kYear:
      return Date(ymd - chr::years(1));
  }
  return start;
}

Result<std::vector<Date>> Occurrences(const Recurring& r, const Calendar& cal) {
  std::vector<Date> out;
  for (Date start = PeriodStart(r.every, r.from); start <= r.to;
       start = PeriodAfter(r.every, start)) {
    Date end = PeriodAfter(r.every, start) - chr::days(1);
    Date day{};
    switch (r.at.kind) {
      case RecurringAt::Kind::kDay:
        day = start + chr::days(r.at.n - 1);
        break;
      case RecurringAt::Kind::kFirstWorkday:
      case RecurringAt::Kind::kWorkday: {
        int n = r.at.kind == RecurringAt::Kind::kWorkday ? r.at.n : 1;
        auto first = cal.NextWorkday(start);
        if (!first) return first.error();
        auto d = cal.AddWorkdays(*first, n - 1);
        if (!d) return d.error();
        day = *d;
        break;
      }
      case RecurringAt::Kind::kLastWorkday: {
        auto is_workday = cal.IsWorkday(end);
        if (!is_workday) return is_workday.error();
        if (*is_workday) {
          day = end;
          break;
        }
        auto d = cal.AddWorkdays(end, -1);
        if (!d) return d.error();
        day = *d;
        break;
      }
    }
    if (day > end) continue;  // a period with fewer working days than asked
    if (day >= r.from && day <= r.to) out.push_back(day);
  }
  return out;
}

}  // namespace rectify::definition
