// rectify calendar: working-day arithmetic on a calendar from the definitions.
//
//   rectify calendar add --calendar cn 2017-04-21 10wd        prints 2017-05-08
//   rectify calendar add --calendar cn 2017-04-21T10:00:00+08:00 4h
//                                                             prints 2017-04-21T14:00:00+08:00
//   rectify calendar add --calendar cn 2017-05-08 -5wd        prints 2017-04-28
//   rectify calendar add --calendar cn 2017-05-08 -- -P1W     prints 2017-05-01
//   rectify calendar is-workday --calendar cn 2017-05-01      prints no
//
// The calendar is found by name among the `kind: calendar` documents in the YAML files of the
// definitions in force (definition_sources.h): the shipped library, --definitions DIR and
// RECTIFY_DEFINITIONS; a county's calendar of the same name replaces the library's. Day-based
// durations print the day the deadline ends on (see rectify/calendar/deadline.h); hours and minutes
// print the local date-time. Exit 1 for an unknown calendar, a bad date or duration, or a date
// outside the years the calendar covers; 2 for a usage error.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <optional>
#include <set>
#include <vector>

#include "adapters/cli/cli.h"
#include "adapters/cli/definition_sources.h"
#include "rectify/calendar/calendar.h"
#include "rectify/calendar/calendar_loader.h"
#include "rectify/calendar/deadline.h"
#include "rectify/calendar/span.h"

namespace rectify::cli {

namespace {

namespace fs = std::filesystem;

struct CalendarArgs {
  std::string calendar;
  DefinitionSources definitions;
  std::string date;
  std::string duration;
};

// `file` relative to the working directory when it is under it, as people typed it.
std::string Shown(const fs::path& file) {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (ec) return file.string();
  fs::path rel = fs::absolute(file, ec).lexically_relative(cwd);
  if (ec || rel.empty() || *rel.begin() == "..") return file.string();
  return rel.string();
}

// Finds calendar `name` in the definitions (definition_sources.h); errors name the calendars that
// were found. Only calendars are read, so a problem in another file does not stop the arithmetic.
// A county's calendar replaces the library's of the same name.
Result<Calendar> FindCalendar(const Context& ctx, const CalendarArgs& args) {
  DefinitionPaths paths = ResolveDefinitionPaths(ctx, args.definitions);
  Diagnostics collected;
  std::vector<std::string> county_files =
      definition::CollectDefinitionFiles(paths.county, collected);
  if (collected.has_errors()) {
    std::string text = collected.Format();
    text.pop_back();
    return Error::BadInput("the definitions folders are wrong:\n" + text);
  }
  std::vector<std::string> library_files;
  if (!paths.library.empty()) {
    std::error_code ec;
    if (!fs::is_directory(paths.library, ec)) {
      return Error::BadInput("no definitions folder at " + paths.library +
                             "; set RECTIFY_HOME, or name one with --definitions DIR and "
                             "--no-library");
    }
    library_files = definition::CollectDefinitionFiles({paths.library}, collected);
  }
  std::set<std::string> names;
  std::optional<std::pair<YAML::Node, std::string>> found;
  bool found_in_county = false;
  auto scan = [&](const std::vector<std::string>& files, bool county) -> Status {
    for (const auto& file : files) {
      std::vector<YAML::Node> docs;
      try {
        docs = YAML::LoadAllFromFile(file);
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
        if (found && found_in_county == county) {
          return Error::BadInput("calendar '" + args.calendar + "' is defined twice, in " +
                                 found->second + " and " + Shown(file) + "; keep one");
        }
        if (found) continue;  // the county's, found first, replaces the library's
        found.emplace(doc, Shown(file));
        found_in_county = county;
      }
    }
    return OkStatus();
  };
  if (Status st = scan(county_files, true); !st) return st.error();
  if (Status st = scan(library_files, false); !st) return st.error();
  std::string dir = paths.Describe();
  if (!found) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return Error::NotFound("no calendar named '" + args.calendar + "' under " + dir +
                           (list.empty() ? "; none was found there" : "; found: " + list) +
                           "; add the folder that defines it with --definitions DIR or "
                           "RECTIFY_DEFINITIONS=DIR");
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
  AddDefinitionOptions(cmd, args.definitions);
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
  SupportFormats(ctx, add, {"json", "jsonl"});
  add->add_option("DATE", args->date, "A date (2017-04-21) or date-time with offset")->required();
  add->add_option("DURATION", args->duration, std::string("One of: ") + std::string(kSpanForms))
      ->required();
  add->callback([&ctx, args] { RunAdd(ctx, *args); });

  auto* is_workday =
      cmd->add_subcommand("is-workday", "Print 'yes' if DATE is a working day, else 'no'");
  AddCommonOptions(is_workday, *args);
  SupportFormats(ctx, is_workday, {"json", "jsonl"});
  is_workday->add_option("DATE", args->date, "A date, e.g. 2017-05-01")->required();
  is_workday->callback([&ctx, args] { RunIsWorkday(ctx, *args); });
}

}  // namespace rectify::cli
