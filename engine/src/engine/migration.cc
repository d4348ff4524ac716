// Instance migration: the interpreter's pure move (Interpreter::Migrate) and the batch that
// checks the mapping and commits every move in one transaction (MigrateInstances).
#include "rectify/engine/migration.h"

#include <algorithm>
#include <boost/json.hpp>

#include "rectify/diagnostics.h"
#include "rectify/engine/campaign_items.h"
#include "rectify/engine/instance_pages.h"
#include "step.h"

namespace rectify::engine {

namespace json = boost::json;

namespace {

std::string Plural(std::int64_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::vector<std::string> StateIds(const definition::Workflow& wf) {
  std::vector<std::string> ids;
  for (const auto& s : wf.states()) ids.push_back(s.id);
  return ids;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

Result<Effects> Interpreter::Migrate(const Instance& instance, int to_version,
                                     const std::map<std::string, std::string>& state_map,
                                     const std::string& actor, Timestamp now) const {
  auto old_bound = Bind(instance);
  if (!old_bound) return old_bound.error();
  auto wf = definitions_->FindWorkflow(instance.record.workflow, to_version);
  if (!wf) {
    return Error::NotFound("workflow " + instance.record.workflow + "@" +
                           std::to_string(to_version) + " is not loaded");
  }
  const std::string from_state = instance.record.state;
  auto mapped = state_map.find(from_state);
  if (mapped == state_map.end()) {
    return Error::BadInput("instance " + instance.record.id + " is in state '" + from_state +
                           "', which the mapping does not name");
  }
  auto to_index = wf->FindState(mapped->second);
  if (!to_index) {
    return Error::BadInput("state '" + mapped->second + "' is not a state of " +
                           wf->info().Label());
  }
  // Where a state's clock, signatures and steps go: the mapped state, else the same id when the
  // new version has it, else nowhere.
  auto rename = [&](const std::string& state) -> std::optional<std::string> {
    if (auto it = state_map.find(state); it != state_map.end()) return it->second;
    if (wf->FindState(state)) return state;
    return std::nullopt;
  };

  Instance inst = instance;
  std::map<std::string, StateClock> clocks;
  // The current state's clock first, so it wins when two old states map to one new state.
  if (auto it = instance.clocks.find(from_state); it != instance.clocks.end()) {
    clocks[mapped->second] = it->second;
  }
  for (const auto& [state, sc] : instance.clocks) {
    if (state == from_state) continue;
    if (auto to = rename(state); to && !clocks.count(*to)) clocks[*to] = sc;
  }
  inst.clocks = std::move(clocks);
  std::map<std::string, std::vector<std::string>> signatures;
  for (const auto& [state, who] : instance.signatures) {
    if (auto to = rename(state); to && !signatures.count(*to)) signatures[*to] = who;
  }
  inst.signatures = std::move(signatures);
  for (EscalationTaken& e : inst.escalations) {
    if (auto to = rename(e.state)) e.state = *to;
  }
  for (MeasureRecord& m : inst.measures) {
    if (auto to = rename(m.state)) m.state = *to;
  }
  inst.record.workflow_version = wf->info().version;
  inst.record.state = mapped->second;

  Bound bound{wf, old_bound->org, ItemCalendar(*definitions_, *wf, inst.record.campaign),
              old_bound->escalation};
  internal::Step step(*this, bound, std::move(inst), now);
  if (auto moved = step.FollowCalendar(actor, "", nullptr); !moved) return moved.error();
  if (Status s = step.ProjectTimers(); !s) return s.error();
  json::object data{{"from_workflow", instance.record.workflow + "@" +
                                          std::to_string(instance.record.workflow_version)},
                    {"to_workflow", wf->info().name + "@" + std::to_string(wf->info().version)},
                    {"from_version", instance.record.workflow_version},
                    {"to_version", wf->info().version},
                    {"from_state", from_state},
                    {"to_state", mapped->second}};
  if (auto d = step.RunningDeadline()) data["deadline"] = FormatIso(*d);
  step.Audit(actor, "migrated", from_state, mapped->second, "", std::move(data));
  return step.Finish();
}

Result<MigrationReport> MigrateInstances(Engine& engine, const MigrationRequest& req) {
  const auto& defs = engine.interpreter().definitions();
  auto from = defs.FindWorkflow(req.workflow, req.from_version);
  auto to = defs.FindWorkflow(req.workflow, req.to_version);
  for (auto [wf, v] : {std::pair{from, req.from_version}, std::pair{to, req.to_version}}) {
    if (!wf) {
      return Error::NotFound("workflow " + req.workflow + "@" + std::to_string(v) +
                             " is not loaded; load the definitions that have it (--definitions)");
    }
  }
  if (req.from_version == req.to_version) {
    return Error::BadInput("--from-version and --to-version are both " +
                           std::to_string(req.from_version) + "; nothing to migrate");
  }
  std::vector<std::string> problems;
  for (const auto& [old_state, new_state] : req.state_map) {
    if (!from->FindState(old_state)) {
      problems.push_back("'" + old_state + "' is not a state of " + from->info().Label() + " (" +
                         SuggestHint(old_state, StateIds(*from)) + ")");
    }
    if (!to->FindState(new_state)) {
      problems.push_back("'" + new_state + "' is not a state of " + to->info().Label() + " (" +
                         SuggestHint(new_state, StateIds(*to)) + ")");
    }
  }
  if (!problems.empty()) return Error::BadInput("--map: " + Join(problems));

  // Every live instance of the old version, by pages.
  std::vector<Instance> live;
  MigrationReport report;
  InstanceFilter filter;
  filter.workflow = req.workflow;
  filter.limit = 1000;
  Status listed = ForEachInstancePage(engine.store(), filter,
                                      [&](std::vector<InstanceRecord>& page) -> Result<bool> {
                                        for (const InstanceRecord& r : page) {
                                          if (r.workflow_version != req.from_version) continue;
                                          auto state = from->FindState(r.state);
                                          if (state && from->state(*state).final) {
                                            ++report.left_final;
                                            continue;
                                          }
                                          auto inst = InstanceOf(r);
                                          if (!inst) return inst.error();
                                          live.push_back(std::move(*inst));
                                        }
                                        return true;
                                      });
  if (!listed) return listed.error();

  std::map<std::string, std::int64_t> unmapped;
  for (const Instance& i : live) {
    if (!req.state_map.count(i.record.state)) ++unmapped[i.record.state];
  }
  if (!unmapped.empty()) {
    std::vector<std::string> parts, maps;
    for (const auto& [state, n] : unmapped) {
      parts.push_back("'" + state + "' (" + Plural(n, "instance") + ")");
      maps.push_back("--map " + state + "=STATE");
    }
    return Error::BadInput("every state of " + from->info().Label() +
                           " with running instances must be mapped; " + "unmapped: " + Join(parts) +
                           " (hint: add " + Join(maps) + ", a state of " + to->info().Label() +
                           ": " + Join(StateIds(*to)) + ")");
  }

  ChangeSet changes;
  Timestamp now = engine.clock().Now();
  for (const Instance& i : live) {
    auto fx = engine.interpreter().Migrate(i, req.to_version, req.state_map, req.actor, now);
    if (!fx) return fx.error().WithContext("instance " + i.record.id);
    MigratedInstance m{i.record.id, i.record.state, fx->instance.record.state, {}};
    auto bound = engine.interpreter().Bind(fx->instance);
    if (const StateClock* c = fx->instance.CurrentClock(); c && bound && bound->calendar) {
      DeadlineClock dc(*bound->calendar, c->clock);
      if (auto d = dc.Deadline(now)) m.deadline = bound->calendar->FormatLocal(*d);
    }
    report.moved.push_back(std::move(m));
    fx->AppendTo(changes);
  }
  if (req.dry_run || changes.empty()) return report;
  if (Status s = engine.Commit(changes); !s) {
    if (s.error().code() == ErrorCode::kConflict) {
      return Error::Conflict("an instance changed while migrating (" + s.error().message() +
                             "); nothing was migrated; run the command again");
    }
    return s.error();
  }
  return report;
}

}  // namespace rectify::engine
