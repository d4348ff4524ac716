// rectify instances migrate: move running instances to a new version of their workflow with an
// explicit state mapping, keeping their clocks.
//
//   $ rectify instances migrate --workflow rectification-item --from-version 1 --to-version 2
//       --map registered=registered --map rectifying=rectifying --map verifying=checking
//   Q-1: rectification-item@1 rectifying -> @2 rectifying (due 2017-05-08T24:00...)
//   migrated 1 instance of rectification-item from version 1 to version 2
//
// rectify instances reproject: move running instances onto the calendar version their workflow
// counts on now (a holiday notice added days to cn.yaml as a new version).
//
//   $ rectify instances reproject --calendar cn --as xs-0003 --reason "..."
//   Q-1: rectifying, calendar cn@1 -> cn@2, deadline 2017-05-09T00:00:00+08:00 -> 2017-05-11T...
//   re-projected 1 instance onto calendar cn@2
#include <boost/json.hpp>

#include "adapters/cli/cli.h"
#include "adapters/cli/engine_access.h"
#include "rectify/engine/migration.h"
#include "rectify/engine/reprojection.h"

namespace rectify::cli {

namespace {

struct MigrateArgs {
  std::string workflow, as, at;
  DefinitionSources definitions;
  int from = 0, to = 0;
  std::vector<std::string> maps;
  bool dry_run = false;
};

// --as names a person of a loaded org.
Status CheckActor(const EngineSession& s, const std::string& as) {
  if (as.empty()) return OkStatus();
  for (const auto& info : s.definitions->All()) {
    if (info.kind != definition::Kind::kOrg) continue;
    auto org = s.definitions->FindOrg(info.name, info.version);
    if (org && org->FindPerson(as)) return OkStatus();
  }
  return Error::BadInput("--as: '" + as + "' is a person of no org");
}

void RunMigrate(Context& ctx, const MigrateArgs& a) {
  engine::MigrationRequest req;
  req.workflow = a.workflow;
  req.from_version = a.from;
  req.to_version = a.to;
  req.dry_run = a.dry_run;
  if (!a.as.empty()) req.actor = a.as;
  for (const std::string& m : a.maps) {
    auto eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
      return ctx.UsageError("--map '" + m + "': write OLD_STATE=NEW_STATE, e.g. --map " +
                            "verifying=checking");
    }
    std::string old_state = m.substr(0, eq);
    if (req.state_map.count(old_state)) {
      return ctx.UsageError("--map names state '" + old_state + "' twice");
    }
    req.state_map[old_state] = m.substr(eq + 1);
  }
  auto session = OpenEngine(ctx, a.definitions, a.at);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  if (Status st = CheckActor(s, a.as); !st) return ctx.Fail(st.error());
  auto report = engine::MigrateInstances(*s.engine, req);
  if (!report) return ctx.Fail(report.error());
  if (ctx.format() == Format::kJson || ctx.format() == Format::kJsonl) {
    boost::json::array moved;
    for (const auto& m : report->moved) {
      moved.push_back(boost::json::object{{"id", m.id},
                                          {"from_state", m.from_state},
                                          {"to_state", m.to_state},
                                          {"deadline", m.deadline}});
    }
    ctx.out << boost::json::serialize(boost::json::object{{"workflow", a.workflow},
                                                          {"from_version", a.from},
                                                          {"to_version", a.to},
                                                          {"dry_run", a.dry_run},
                                                          {"migrated", moved},
                                                          {"left_final", report->left_final}})
            << "\n";
    return;
  }
  for (const auto& m : report->moved) {
    ctx.out << m.id << ": " << a.workflow << "@" << a.from << " " << m.from_state << " -> @" << a.to
            << " " << m.to_state;
    if (!m.deadline.empty()) ctx.out << " (deadline " << m.deadline << ")";
    ctx.out << "\n";
  }
  std::size_t n = report->moved.size();
  ctx.out << (a.dry_run ? "would migrate " : "migrated ") << n << " instance" << (n == 1 ? "" : "s")
          << " of " << a.workflow << " from version " << a.from << " to version " << a.to;
  if (report->left_final > 0) {
    ctx.out << "; " << report->left_final << " in a final state stay on version " << a.from;
  }
  ctx.out << (a.dry_run ? " (--dry-run: nothing was changed)" : "") << "\n";
}

struct ReprojectArgs {
  std::string calendar, as, reason, at;
  DefinitionSources definitions;
  bool dry_run = false;
};

void RunReproject(Context& ctx, const ReprojectArgs& a) {
  auto session = OpenEngine(ctx, a.definitions, a.at);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  if (Status st = CheckActor(s, a.as); !st) return ctx.Fail(st.error());
  engine::ReprojectRequest req;
  req.calendar = a.calendar;
  req.reason = a.reason;
  req.dry_run = a.dry_run;
  if (!a.as.empty()) req.actor = a.as;
  auto report = engine::ReprojectInstances(*s.engine, req);
  if (!report) return ctx.Fail(report.error());
  if (ctx.format() == Format::kJson || ctx.format() == Format::kJsonl) {
    boost::json::array moved;
    for (const auto& m : report->moved) {
      moved.push_back(boost::json::object{{"id", m.id},
                                          {"state", m.state},
                                          {"from_calendar", m.from_calendar},
                                          {"to_calendar", m.to_calendar},
                                          {"previous_deadline", m.previous_deadline},
                                          {"deadline", m.deadline}});
    }
    ctx.out << boost::json::serialize(boost::json::object{{"calendar", a.calendar},
                                                          {"dry_run", a.dry_run},
                                                          {"reprojected", moved},
                                                          {"current", report->current},
                                                          {"left_final", report->left_final}})
            << "\n";
    return;
  }
  for (const auto& m : report->moved) {
    ctx.out << m.id << ": " << m.state << ", calendar " << m.from_calendar << " -> "
            << m.to_calendar;
    if (!m.deadline.empty()) {
      ctx.out << ", deadline " << (m.previous_deadline.empty() ? "?" : m.previous_deadline)
              << " -> " << m.deadline;
    }
    ctx.out << "\n";
  }
  std::size_t n = report->moved.size();
  ctx.out << (a.dry_run ? "would re-project " : "re-projected ") << n << " instance"
          << (n == 1 ? "" : "s") << " onto "
          << (a.calendar.empty() ? "the calendar versions their workflows count on"
                                 : "the loaded version of calendar " + a.calendar);
  if (report->current > 0) ctx.out << "; " << report->current << " already on it";
  if (report->left_final > 0)
    ctx.out << "; " << report->left_final << " in a final state left alone";
  ctx.out << (a.dry_run ? " (--dry-run: nothing was changed)" : "") << "\n";
}

}  // namespace

void RegisterInstances(CLI::App& app, Context& ctx) {
  auto* instances = app.add_subcommand("instances", "Manage running instances");
  instances->require_subcommand(1);
  auto a = std::make_shared<MigrateArgs>();
  auto* migrate = instances->add_subcommand(
      "migrate",
      "Move the running instances of a workflow version to another version, with an explicit "
      "state mapping; clocks are kept, timers re-projected, one audit row each, one transaction");
  migrate->add_option("--workflow", a->workflow, "The workflow's name")->required();
  migrate->add_option("--from-version", a->from, "The version the instances run on")->required();
  migrate->add_option("--to-version", a->to, "The version to move them to")->required();
  migrate->add_option("--map", a->maps,
                      "OLD_STATE=NEW_STATE, one for every state that has running instances "
                      "(repeatable)");
  migrate->add_option("--as", a->as, "Who migrates (a person id, for the audit log)");
  migrate->add_flag("--dry-run", a->dry_run, "Say what would move; change nothing");
  AddEngineOptions(migrate, a->definitions, a->at);
  SupportFormats(ctx, migrate, {"json", "jsonl"});
  migrate->callback([&ctx, a] { RunMigrate(ctx, *a); });

  auto r = std::make_shared<ReprojectArgs>();
  auto* reproject = instances->add_subcommand(
      "reproject",
      "Move running instances onto the calendar version their workflow counts on now (after a "
      "new version of a calendar was loaded): deadlines, reminders and escalation steps move to "
      "the new dates, steps taken are not repeated, one audit row each, one transaction");
  reproject->add_option("--calendar", r->calendar,
                        "Only instances on this calendar (default: every calendar)");
  reproject->add_option("--as", r->as, "Who re-projects (a person id, for the audit log)");
  reproject->add_option("--reason", r->reason,
                        "Why, for the audit log (e.g. the holiday notice's number)");
  reproject->add_flag("--dry-run", r->dry_run, "Say what would move; change nothing");
  AddEngineOptions(reproject, r->definitions, r->at);
  SupportFormats(ctx, reproject, {"json", "jsonl"});
  reproject->callback([&ctx, r] { RunReproject(ctx, *r); });
}

}  // namespace rectify::cli
