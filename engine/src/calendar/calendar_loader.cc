#include "rectify/calendar/calendar_loader.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <vector>

#include "rectify/diagnostics.h"
#include "tz_config.h"

namespace rectify {

namespace chr = std::chrono;

namespace {

constexpr std::array<std::string_view, 8> kTopKeys = {
    "kind", "name", "version", "description", "timezone", "workweek", "working_hours", "years"};
constexpr std::array<std::string_view, 2> kYearKeys = {"holidays", "workdays"};
// Indexed by weekday::c_encoding() (0 = Sunday).
constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};
constexpr std::array<std::string_view, 7> kDayWords = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};

template <std::size_t N>
std::string KnownKeysHint(std::string_view key, const std::array<std::string_view, N>& known) {
  std::string list;
  std::string_view best;
  std::size_t best_distance = 3;  // suggest only close misspellings
  for (auto k : known) {
    if (!list.empty()) list += ", ";
    list += k;
    std::size_t d = EditDistance(key, k);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  if (!best.empty()) return "did you mean '" + std::string(best) + "'? known keys: " + list;
  return "known keys: " + list;
}

class Loader {
 public:
  Loader(const std::string& file, Diagnostics& diags) : file_(file), diags_(diags) {}

  Result<Calendar> Load(const YAML::Node& doc) {
    std::size_t errors_before = diags_.error_count();
    spec_.source = file_;
    if (!doc.IsMap()) {
      Error(doc, "", "a calendar must be a mapping with kind, name, timezone and years",
            "start the document with 'kind: calendar'");
      return Fail(errors_before);
    }
    std::map<std::string, int> seen;  // key -> line
    for (const auto& entry : doc) {
      const YAML::Node& key = entry.first;
      const YAML::Node& value = entry.second;
      std::string k = key.IsScalar() ? key.Scalar() : "";
      if (auto it = seen.find(k); it != seen.end()) {
        Error(key, k, "duplicate key (first at line " + std::to_string(it->second) + ")",
              "keep one of them");
        continue;
      }
      seen[k] = Pos(key).line;
      if (k == "kind") {
        if (!value.IsScalar() || value.Scalar() != "calendar") {
          Error(value, k, "expected 'calendar', found '" + ScalarText(value) + "'",
                "a calendar file has 'kind: calendar'");
        }
      } else if (k == "name") {
        if (!value.IsScalar() || value.Scalar().empty()) {
          Error(value, k, "the name must be a non-empty string", "e.g. 'name: cn'");
        } else {
          spec_.name = value.Scalar();
        }
      } else if (k == "version" || k == "description") {
        // Accepted; the definition loader records them.
      } else if (k == "timezone") {
        LoadZone(value);
      } else if (k == "workweek") {
        LoadWorkweek(value);
      } else if (k == "working_hours") {
        auto hours =
            value.IsScalar()
                ? ParseWorkingHours(value.Scalar())
                : Result<WorkingHours>(Error::BadInput("working hours must be a string such as "
                                                       "\"08:30-18:00\""));
        if (hours) {
          spec_.working_hours = *hours;
        } else {
          Error(value, k, hours.error().message(), "notifications wait for these hours");
        }
      } else if (k == "years") {
        LoadYears(value);
      } else {
        Error(key, k, "unknown key '" + k + "' in a calendar", KnownKeysHint(k, kTopKeys));
      }
    }
    CheckWorkdays();
    if (!seen.count("name")) Error(doc, "", "the calendar has no 'name'", "add 'name: cn'");
    if (!seen.count("timezone")) {
      Error(doc, "", "the calendar has no 'timezone'", "add e.g. 'timezone: Asia/Shanghai'");
    }
    if (!seen.count("years")) {
      Error(doc, "", "the calendar has no 'years'",
            "list each year's holidays and make-up workdays under 'years:'");
    }
    if (diags_.error_count() > errors_before) return Fail(errors_before);
    return Calendar::Create(std::move(spec_));
  }

 private:
  struct DatedItem {
    Date date;
    YAML::Node node;
    std::string path;
  };

  SourcePos Pos(const YAML::Node& node) const {
    auto mark = node.Mark();
    if (mark.is_null()) return {file_, 0, 0};
    return {file_, mark.line + 1, mark.column + 1};
  }

  static std::string ScalarText(const YAML::Node& node) {
    if (node.IsScalar()) return node.Scalar();
    if (node.IsSequence()) return "a list";
    if (node.IsMap()) return "a mapping";
    return "nothing";
  }

  void Error(const YAML::Node& at, std::string path, std::string message, std::string hint) {
    diags_.Error(Pos(at), std::move(path), std::move(message), std::move(hint));
  }
  void Warning(const YAML::Node& at, std::string path, std::string message, std::string hint) {
    diags_.Warning(Pos(at), std::move(path), std::move(message), std::move(hint));
  }

  Result<Calendar> Fail(std::size_t errors_before) const {
    std::size_t n = diags_.error_count() - errors_before;
    std::string name = spec_.name.empty() ? "" : "'" + spec_.name + "' ";
    return Error::BadInput("calendar " + name + "in " + file_ + " has " + std::to_string(n) +
                           (n == 1 ? " error" : " errors"));
  }

  void LoadZone(const YAML::Node& value) {
    if (!value.IsScalar() || value.Scalar().empty()) {
      Error(value, "timezone", "the time zone must be an IANA name",
            "e.g. 'timezone: Asia/Shanghai'");
      return;
    }
    const std::string& zone = value.Scalar();
    try {
      date::locate_zone(zone);
      spec_.time_zone = zone;
    } catch (const std::exception&) {
      bool offset =
          zone.find_first_of("+-") != std::string::npos && zone.find('/') == std::string::npos;
      Error(value, "timezone", "unknown time zone '" + zone + "'",
            offset ? "a fixed UTC offset is not a time zone; use an IANA name such as "
                     "Asia/Shanghai, which knows the zone's history"
                   : "use an IANA name from the tz database, e.g. Asia/Shanghai or Europe/Berlin");
    }
  }

  void LoadWorkweek(const YAML::Node& value) {
    const std::string hint = "write the working weekdays as [mon, tue, wed, thu, fri]";
    if (!value.IsSequence()) {
      Error(value, "workweek", "the workweek must be a list of weekdays", hint);
      return;
    }
    std::array<bool, 7> week{};
    int index = 0;
    for (const auto& day : value) {
      std::string path = "workweek[" + std::to_string(index++) + "]";
      std::string name = day.IsScalar() ? day.Scalar() : "";
      auto it = std::find(kDayNames.begin(), kDayNames.end(), name);
      if (it == kDayNames.end()) {
        Error(day, path, "unknown weekday '" + ScalarText(day) + "'",
              "use mon, tue, wed, thu, fri, sat or sun");
        continue;
      }
      auto i = static_cast<std::size_t>(it - kDayNames.begin());
      if (week[i]) Warning(day, path, "'" + name + "' is listed twice", "list each day once");
      week[i] = true;
    }
    if (index == 0) {
      Error(value, "workweek", "the workweek is empty", hint);
      return;
    }
    spec_.workweek = week;
  }

  void LoadYears(const YAML::Node& value) {
    if (!value.IsMap() || value.size() == 0) {
      Error(value, "years", "'years' must map each year to its holidays and workdays",
            "e.g. 'years: {2017: {holidays: [2017-01-02], workdays: [2017-01-22]}}'");
      return;
    }
    std::map<int, int> seen;  // year -> line
    for (const auto& entry : value) {
      const YAML::Node& key = entry.first;
      std::string k = key.IsScalar() ? key.Scalar() : "";
      std::string path = "years." + k;
      bool four_digits = k.size() == 4 && std::all_of(k.begin(), k.end(),
                                                      [](char c) { return c >= '0' && c <= '9'; });
      if (!four_digits) {
        Error(key, path, "'" + ScalarText(key) + "' is not a year", "write the year as 2017");
        continue;
      }
      int year = std::stoi(k);
      if (auto it = seen.find(year); it != seen.end()) {
        Error(key, path,
              "year " + k + " is listed twice (first at line " + std::to_string(it->second) + ")",
              "merge the two entries into one");
        continue;
      }
      seen[year] = Pos(key).line;
      LoadYear(year, path, entry.second);
    }
    // A gap means a year nobody entered: dates in it are errors, so say so now.
    for (auto it = seen.begin(); it != seen.end(); ++it) {
      auto next = std::next(it);
      if (next != seen.end() && next->first != it->first + 1) {
        Warning(value, "years",
                "no entry for " + std::to_string(it->first + 1) +
                    (next->first - it->first > 2 ? "-" + std::to_string(next->first - 1) : ""),
                "dates in a year without an entry are errors; add the year's holidays");
      }
    }
  }

  void LoadYear(int year, const std::string& path, const YAML::Node& value) {
    CalendarYear& rules = spec_.years[year];
    if (value.IsNull()) return;  // a year without exceptions, declared as such
    if (!value.IsMap()) {
      Error(value, path, "a year must be a mapping with 'holidays' and 'workdays'",
            "e.g. '" + std::to_string(year) + ": {holidays: [...], workdays: [...]}'");
      return;
    }
    for (const auto& entry : value) {
      std::string k = entry.first.IsScalar() ? entry.first.Scalar() : "";
      if (k == "holidays") {
        LoadDates(year, path + ".holidays", entry.second, rules.holidays, &holiday_items_);
      } else if (k == "workdays") {
        LoadDates(year, path + ".workdays", entry.second, rules.workdays, &workday_items_);
      } else {
        Error(entry.first, path + "." + k, "unknown key '" + k + "' in a year",
              KnownKeysHint(k, kYearKeys));
      }
    }
  }

  // Reads a list of dates and FROM..TO ranges under `year` into `out`.
  void LoadDates(int year, const std::string& path, const YAML::Node& list, std::set<Date>& out,
                 std::vector<DatedItem>* items) {
    if (list.IsNull()) return;
    if (!list.IsSequence()) {
      Error(list, path, "expected a list of dates",
            "e.g. [" + std::to_string(year) + "-01-02, " + std::to_string(year) + "-01-27.." +
                std::to_string(year) + "-02-02]");
      return;
    }
    int index = 0;
    for (const auto& item : list) {
      std::string item_path = path + "[" + std::to_string(index++) + "]";
      if (!item.IsScalar()) {
        Error(item, item_path, "expected a date or a range FROM..TO, found " + ScalarText(item),
              "write 2017-01-02 or 2017-01-27..2017-02-02");
        continue;
      }
      const std::string& text = item.Scalar();
      auto dots = text.find("..");
      std::string first_text = dots == std::string::npos ? text : text.substr(0, dots);
      std::string last_text = dots == std::string::npos ? text : text.substr(dots + 2);
      auto first = ParseDate(first_text);
      auto last = ParseDate(last_text);
      if (!first || !last) {
        Error(item, item_path, (first ? last : first).error().message(),
              "write a date as 2017-01-02 or a range as 2017-01-27..2017-02-02");
        continue;
      }
      if (*last < *first) {
        Error(item, item_path, "the range " + text + " runs backwards",
              "write the earlier date first: " + last_text + ".." + first_text);
        continue;
      }
      bool in_year = true;
      for (Date d : {*first, *last}) {
        int y = static_cast<int>(chr::year_month_day{d}.year());
        if (y != year) {
          Error(item, item_path, FormatDate(d) + " is not in " + std::to_string(year),
                "list it under year " + std::to_string(y) +
                    " (split a range that crosses the new year)");
          in_year = false;
          break;
        }
      }
      if (!in_year) continue;
      bool duplicate = false;
      for (Date d = *first; d <= *last; d += chr::days{1}) {
        if (!out.insert(d).second) duplicate = true;
        items->push_back({d, item, item_path});
      }
      if (duplicate) {
        Warning(item, item_path, text + " repeats a date listed before", "list each date once");
      }
    }
  }

  // Run once the whole document is read: the workweek may come after the years.
  void CheckWorkdays() {
    std::map<Date, int> holiday_lines;
    for (const auto& h : holiday_items_) holiday_lines.emplace(h.date, Pos(h.node).line);
    for (const auto& w : workday_items_) {
      int year = static_cast<int>(chr::year_month_day{w.date}.year());
      if (auto h = holiday_lines.find(w.date); h != holiday_lines.end()) {
        Error(w.node, w.path,
              FormatDate(w.date) + " is listed both as a holiday (line " +
                  std::to_string(h->second) + ") and as a workday",
              "a day is either off or worked; remove it from one list");
        spec_.years[year].workdays.erase(w.date);
      } else if (unsigned wd = chr::weekday{w.date}.c_encoding(); spec_.workweek[wd]) {
        Warning(w.node, w.path,
                FormatDate(w.date) + " is a " + std::string(kDayWords[wd]) +
                    ", already a working day in the workweek",
                "make-up workdays (调休) are weekend days; check the date");
      }
    }
  }

  const std::string& file_;
  Diagnostics& diags_;
  CalendarSpec spec_;
  std::vector<DatedItem> holiday_items_;
  std::vector<DatedItem> workday_items_;
};

}  // namespace

Result<Calendar> LoadCalendar(const YAML::Node& doc, const std::string& file, Diagnostics& diags) {
  return Loader(file, diags).Load(doc);
}

}  // namespace rectify
