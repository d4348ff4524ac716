// rectify calendar: working-day arithmetic on a calendar from the definitions.
//
//   rectify calendar add --calendar cn 2017-04-21 10wd        prints 2017-05-08
//   rectify calendar add --calendar cn 2017-04-21T10:00:00+08:00 4h
//                                                             prints 2017-04-21T14:00:00+08:00
//   rectify calendar add --calendar cn 2017-05-08 -5wd        prints 2017-04-28
//   rectify calendar add --calendar cn 2017-05-08 -- -P1W     prints 2017-05-01
//   rectify calendar is-workday --calendar cn 2017-05-01      prints no
//
// The calendar is found by name among the `kind: calendar` documents in the YAML files under
// <home>/workflows (recursively), or under --definitions DIR. Day-based durations print the day
// the deadline ends on (see rectify/calendar/deadline.h); hours and minutes print the local
// date-time. Exit 1 for an unknown calendar, a bad date or duration, or a date outside the years
// the calendar covers; 2 for a usage error.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <optional>
#include <set>
#include <vector>

#include "adapters/cli/cli.h"
#include "rectify/calendar/calendar.h"
#include "rectify/calendar/calendar_loader.h"
#include "rectify/calendar/deadline.h"
#include "rectify/calendar/span.h"

namespace rectify::cli {

namespace {

namespace fs = std::filesystem;

struct CalendarArgs {
  std::string calendar;
  std::string definitions;
  std::string date;
  std::string duration;
};

std::vector<fs::path> YamlFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    auto ext = it->path().extension();
    if (it->is_regular_file(ec) && (ext == ".yaml" || ext == ".yml")) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// `file` relative to the working directory when it is under it, as people typed it.
std::string Shown(const fs::path& file) {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (ec) return file.string();
  fs::path rel = fs::absolute(file, ec).lexically_relative(cwd);
  if (ec || rel.empty() || *rel.begin() == "..") return file.string();
  return rel.string();
}

// Finds calendar `name` in the definitions; errors name the calendars that were found.
Result<Calendar> FindCalendar(const Context& ctx, const CalendarArgs& args) {
  fs::path dir =
      args.definitions.empty() ? fs::path(ctx.Home()) / "workflows" : fs::path(args.definitions);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Error::BadInput("no definitions folder at " + dir.string() +
                           "; name one with --definitions DIR");
  }
  std::set<std::string> names;
  std::optional<std::pair<YAML::Node, std::string>> found;
  for (const auto& file : YamlFiles(dir)) {
    std::vector<YAML::Node> docs;
    try {
      docs = YAML::LoadAllFromFile(file.string());
    } catch (const YAML::Exception&) {
      continue;  // not ours to judge here: `rectify validate` reports it
    }
    for (const auto& doc : docs) {
      if (!doc.IsMap()) continue;
      const YAML::Node kind = doc["kind"];
      const YAML::Node name = doc["name"];
      if (!kind.IsScalar() || kind.Scalar() != "calendar" || !name.IsScalar()) continue;
      names.insert(name.Scalar());
      if (name.Scalar() != args.calendar) continue;
      if (found) {
        return Error::BadInput("calendar '" + args.calendar + "' is defined twice, in " +
                               found->second + " and " + Shown(file) + "; keep one");
      }
      found.emplace(doc, Shown(file));
    }
  }
  if (!found) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return Error::NotFound("no calendar named '" + args.calendar + "' under " + dir.string() +
                           (list.empty() ? "; none was found there" : "; found: " + list));
  }
  Diagnostics diags;
  auto cal = LoadCalendar(found->first, found->second, diags);
  if (!cal) {
    diags.Sort();
    std::string text = diags.Format();
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return Error::BadInput(cal.error().message() + ":\n" + text);
  }
  return cal;
}

void PrintJson(Context& ctx, const boost::json::object& obj) {
  ctx.out << boost::json::serialize(obj) << "\n";
}

void RunAdd(Context& ctx, const CalendarArgs& args) {
  auto cal = FindCalendar(ctx, args);
  if (!cal) return ctx.Fail(cal.error());
  auto anchor = ParseDeadlineSpec(args.date);
  if (!anchor || anchor->kind == DeadlineSpec::Kind::kSpan) {
    return ctx.Fail(Error::BadInput("'" + args.date +
                                    "' is not a date or date-time; write 2017-04-21 or "
                                    "2017-04-21T10:00:00+08:00"));
  }
  auto span = ParseSpan(args.duration);
  if (!span) return ctx.Fail(span.error());

  Date day = anchor->kind == DeadlineSpec::Kind::kDate ? anchor->date : cal->DateOf(anchor->at);
  if (!cal->Covers(day)) return ctx.Fail(cal->OutsideError(day));
  Result<Timestamp> end = anchor->kind == DeadlineSpec::Kind::kDate
                              ? AddSpan(*cal, anchor->date, *span)
                              : AddSpan(*cal, anchor->at, *span);
  if (!end) return ctx.Fail(end.error());

  // A whole-day answer prints as a date; anything with a time of day, as a local date-time.
  bool whole_days = span->day_based() ||
                    (span->kind == Span::Kind::kZero && anchor->kind == DeadlineSpec::Kind::kDate);
  Date end_day = span->day_based() ? DeadlineDay(*cal, *end) : cal->DateOf(*end);
  if (!cal->Covers(end_day)) return ctx.Fail(cal->OutsideError(end_day));
  std::string shown = whole_days ? FormatDate(end_day) : cal->FormatLocal(*end);
  if (ctx.format() == Format::kJson || ctx.format() == Format::kJsonl) {
    PrintJson(ctx, {{"calendar", cal->name()},
                    {"from", args.date},
                    {"duration", FormatSpan(*span)},
                    {"result", shown},
                    {"date", FormatDate(end_day)},
                    {"deadline", FormatIso(*end)},
                    {"deadline_local", cal->FormatLocal(*end)}});
  } else {
    ctx.out << shown << "\n";
  }
}

void RunIsWorkday(Context& ctx, const CalendarArgs& args) {
  auto cal = FindCalendar(ctx, args);
  if (!cal) return ctx.Fail(cal.error());
  auto day = ParseDate(args.date);
  if (!day) return ctx.Fail(day.error());
  auto work = cal->IsWorkday(*day);
  if (!work) return ctx.Fail(work.error());
  if (ctx.format() == Format::kJson || ctx.format() == Format::kJsonl) {
    PrintJson(ctx, {{"calendar", cal->name()}, {"date", FormatDate(*day)}, {"workday", *work}});
  } else {
    ctx.out << (*work ? "yes" : "no") << "\n";
  }
}

void AddCommonOptions(CLI::App* cmd, CalendarArgs& args) {
  cmd->add_option("--calendar", args.calendar, "The calendar's name (e.g. cn)")->required();
  cmd->add_option("--definitions", args.definitions,
                  "Folder to search for calendar YAML files (default: <home>/workflows)");
}

}  // namespace

void RegisterCalendar(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<CalendarArgs>();
  auto* cmd = app.add_subcommand("calendar", "Working-day arithmetic on a calendar");
  cmd->require_subcommand(1);

  auto* add = cmd->add_subcommand(
      "add",
      "Print where DURATION from DATE ends: the day for day-based durations (10wd, 3d, P1M), the "
      "local date-time for hours and minutes. A negative ISO duration goes after '--' "
      "(-- -P1D); -5wd, -1d and -4h need no '--'.");
  AddCommonOptions(add, *args);
  add->add_option("DATE", args->date, "A date (2017-04-21) or date-time with offset")->required();
  add->add_option("DURATION", args->duration, std::string("One of: ") + std::string(kSpanForms))
      ->required();
  add->callback([&ctx, args] { RunAdd(ctx, *args); });

  auto* is_workday =
      cmd->add_subcommand("is-workday", "Print 'yes' if DATE is a working day, else 'no'");
  AddCommonOptions(is_workday, *args);
  is_workday->add_option("DATE", args->date, "A date, e.g. 2017-05-01")->required();
  is_workday->callback([&ctx, args] { RunIsWorkday(ctx, *args); });
}

}  // namespace rectify::cli
