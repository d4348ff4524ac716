// The scripted cadres of campaign_script.h.
#include "rectify/engine/campaign_script.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "rectify/calendar/deadline.h"
#include "rectify/engine/access.h"
#include "rectify/engine/assessment.h"
#include "rectify/engine/campaign.h"
#include "rectify/engine/findings.h"
#include "rectify/engine/measures.h"

namespace rectify::engine {

namespace json = boost::json;

namespace {

bool Has(const definition::Workflow& wf, const definition::State& s, const std::string& event) {
  return std::any_of(s.transitions.begin(), s.transitions.end(),
                     [&](auto ti) { return wf.transition(ti).event == event; });
}

}  // namespace

CadreScript::CadreScript(Engine& engine, std::shared_ptr<const definition::Campaign> campaign,
                         CadreBehaviour behaviour)
    : engine_(engine),
      campaign_(std::move(campaign)),
      cal_(*campaign_->item_calendar_ptr()),  // the calendar its items run on
      behaviour_(behaviour) {}

void CadreScript::Schedule(Timestamp at, std::function<Status()> run) {
  queue_.push({std::max(at, engine_.clock().Now()), next_seq_++, std::move(run)});
}

std::optional<Timestamp> CadreScript::NextAt() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.top().at;
}

double CadreScript::Share(const std::string& id, const std::string& what) const {
  return StableShare(std::to_string(behaviour_.seed) + "|" + id + "|" + what);
}

Date CadreScript::Today() const { return cal_.DateOf(engine_.clock().Now()); }

Timestamp CadreScript::WorkdayAt(Date day, int n, int hour, int minute) const {
  auto d = n == 0 ? cal_.NextWorkday(day) : cal_.AddWorkdays(day, n);
  Date target = d ? *d : day;
  return cal_.AtLocalTime(target, std::chrono::minutes(hour * 60 + minute));
}

std::string CadreScript::PickHolder(const std::string& unit, const std::string& role,
                                    const std::string& salt) const {
  const definition::Org& org = campaign_->org();
  auto u = org.FindUnit(unit);
  std::vector<std::string> holders;
  for (std::size_t i = 0; i < org.people().size(); ++i) {
    const definition::Person& p = org.people()[i];
    if (std::find(p.roles.begin(), p.roles.end(), role) == p.roles.end()) continue;
    if (!u || org.Within(*u, ScopeOf(org, static_cast<definition::PersonIndex>(i)))) {
      holders.push_back(p.id);
    }
  }
  if (holders.empty()) return "";
  return holders[StableHash(std::to_string(behaviour_.seed) + "|" + salt) % holders.size()];
}

std::vector<Registration> CadreScript::Registrations(const Ledger& ledger) const {
  std::vector<Registration> out;
  out.reserve(ledger.rows.size());
  for (const LedgerRow& row : ledger.rows) {
    Registration r{row.item, {}};
    const std::string& id = r.item.id;
    const std::string& unit = r.item.unit;
    std::string registrar = PickHolder(unit, "registrar", id + "|registrar");
    r.item.actor = registrar.empty() ? kSystemActor : registrar;
    auto wf =
        engine_.interpreter().definitions().FindWorkflow(r.item.workflow, r.item.workflow_version);
    if (wf && Has(*wf, wf->state(wf->initial()), "assign")) {
      Command assign;
      assign.event = "assign";
      assign.actor =
          registrar.empty() ? PickHolder(unit, "inspector", id + "|inspector") : registrar;
      std::string verifier = PickHolder(unit, "verifier", id + "|verifier");
      if (wf->FindField("verifier") && !r.item.fields.count("verifier") && !verifier.empty()) {
        assign.fields["verifier"] = verifier;
      }
      r.then.push_back(std::move(assign));
    }
    out.push_back(std::move(r));
  }
  return out;
}

void CadreScript::AddLedger(const std::vector<Registration>& batch) {
  for (const Registration& r : batch) {
    if (const definition::Checkpoint* round = RoundOf(r)) {
      AddFinding(r, *round);
      continue;
    }
    if (r.item.origin.found_by == FoundByName(FoundBy::kPublicReport)) {
      AddPublicReport(r);
      continue;
    }
    Schedule(r.item.at, [this, r] { return Register(r); });
  }
}

// A row that says it was found by an inspection round's way (the ledger's found_by column) came
// from the campaign's latest inspection round begun by its registration day.
const definition::Checkpoint* CadreScript::RoundOf(const Registration& r) const {
  const std::string& how = r.item.origin.found_by;
  if (how.empty() || how == FoundByName(FoundBy::kPublicReport) ||
      how == FoundByName(FoundBy::kImported)) {
    return nullptr;
  }
  Date day = cal_.DateOf(r.item.at);
  const definition::Checkpoint* found = nullptr;
  for (const auto& cp : campaign_->checkpoints()) {
    if (cp.kind != definition::CheckpointKind::kInspection || day < cp.from) continue;
    if (!found || found->from < cp.from) found = &cp;
  }
  return found;
}

// The row's problem as the round found it: an inspector of its unit records it on a working day
// of the round (by the row's id, the same every run), and a verifier confirms it when the row
// says it was registered, which opens the item with the row's id, time limit and responsible.
void CadreScript::AddFinding(const Registration& r, const definition::Checkpoint& round) {
  const NewInstance& item = r.item;
  int days = static_cast<int>((round.to - round.from).count()) + 1;
  int k = static_cast<int>(Share(item.id, "found") * std::max(1, days - 1));
  Timestamp recorded = WorkdayAt(round.from, k, 10, 0);
  // k counts working days, the window calendar days: a day past the round is its last day.
  if (round.to < cal_.DateOf(recorded)) {
    recorded = cal_.AtLocalTime(round.to, std::chrono::minutes(10 * 60));
  }
  if (item.at < recorded) recorded = item.at;
  auto finding = std::make_shared<std::string>();
  NewFinding f;
  f.campaign = campaign_->info().name;
  f.round = round.id;
  f.unit = item.unit;
  f.title = item.title;
  f.found_by = item.origin.found_by;
  f.responsible = item.responsible;
  f.actor = PickHolder(item.unit, "inspector", item.id + "|found");
  if (auto it = item.fields.find("time_limit"); it != item.fields.end()) f.time_limit = it->second;
  if (auto it = item.fields.find("special_action"); it != item.fields.end()) {
    f.special_action = it->second;
  }
  Schedule(recorded, [this, f, finding, id = item.id]() -> Status {
    ++actions_;
    auto done = RecordFinding(engine_, f);
    if (!done) {
      return Error::BadInput("recording the finding of " + id + ": " + done.error().message());
    }
    *finding = done->record.id;
    return OkStatus();
  });
  Schedule(item.at, [this, finding, id = item.id, unit = item.unit]() -> Status {
    ++actions_;
    Confirmation c;
    c.source = *finding;
    c.actor = PickHolder(unit, "verifier", id + "|confirm");
    c.item_id = id;
    auto done = ConfirmFinding(engine_, c);
    if (!done) {
      return Error::BadInput("confirming the finding of " + id + ": " + done.error().message());
    }
    return PlanNext(id);
  });
}

// A row found by a public report (seed 003: scanned from a QR code) came in as a report at its
// registered_at: the intake's registrar at the org's top unit registers it (public-report), an
// inspector checks it and two working days on confirms it into the row's item at the row's unit
// (findings.h), and the registrar tells the reporter a working day after that.
void CadreScript::AddPublicReport(const Registration& r) {
  const NewInstance& item = r.item;
  const definition::Org& org = campaign_->org();
  const std::string top = org.unit(0).id;
  const std::string report = "R-" + item.id;
  std::string registrar = PickHolder(top, "registrar", item.id + "|report");
  Registration intake;
  intake.item.id = report;
  intake.item.workflow = kPublicReportWorkflow;
  intake.item.unit = top;
  intake.item.title = item.title;  // the row names the place; the item keeps the report's title
  intake.item.actor = registrar.empty() ? kSystemActor : registrar;
  intake.item.at = item.at;
  intake.item.fields["reporter_language"] = "zh";
  intake.item.audit_notes["reported_unit"] = item.unit;
  intake.item.audit_notes["channel"] = "simulate";
  if (!registrar.empty()) {
    Command reg;
    reg.event = "register";
    reg.actor = registrar;
    intake.then.push_back(std::move(reg));
  }
  Schedule(item.at, [this, intake]() -> Status {
    actions_ += 1 + static_cast<std::int64_t>(intake.then.size());
    auto done = engine_.RegisterMany({intake});
    if (!done) return done.error();
    return OkStatus();
  });
  Schedule(WorkdayAt(cal_.DateOf(item.at), 2, 10, 0), [this, item, report, top]() -> Status {
    ++actions_;
    Confirmation c;
    c.source = report;
    c.actor = PickHolder(top, "inspector", item.id + "|check");
    c.item_id = item.id;
    c.unit = item.unit;
    c.campaign = campaign_->info().name;
    c.responsible = item.responsible;
    c.evidence = {"核查笔录 (" + report + ")"};
    if (auto it = item.fields.find("time_limit"); it != item.fields.end()) {
      c.time_limit = it->second;
    }
    auto done = ConfirmFinding(engine_, c);
    if (!done) {
      return Error::BadInput("confirming public report " + report + ": " + done.error().message());
    }
    std::string teller = PickHolder(done->source.record.unit_id, "registrar", report + "|tell");
    if (!teller.empty()) {
      Schedule(WorkdayAt(Today(), 1, 11, 0), [this, report, teller] {
        (void)Act(report, "tell", teller);
        return OkStatus();
      });
    }
    return PlanNext(item.id);
  });
}

Result<Instance> CadreScript::Act(const std::string& id, const std::string& event,
                                  const std::string& actor, const std::string& reason,
                                  std::vector<std::string> evidence,
                                  std::map<std::string, std::string> fields) {
  Command c;
  c.instance_id = id;
  c.event = event;
  c.actor = actor;
  c.reason = reason;
  c.evidence = std::move(evidence);
  c.fields = std::move(fields);
  ++actions_;
  auto r = engine_.Act(c);
  if (!r) notes_.push_back(id + " " + event + " by " + actor + ": " + r.error().message());
  return r;
}

Status CadreScript::Register(const Registration& registration) {
  actions_ += 1 + static_cast<std::int64_t>(registration.then.size());
  auto done = engine_.RegisterMany({registration});
  if (!done) return done.error();  // "registering XS-2017-001: ..."
  return PlanNext(registration.item.id);
}

Status CadreScript::PlanSubmit(const Instance& inst) {
  const std::string id = inst.record.id;
  const StateClock* sc = inst.CurrentClock();
  std::optional<Timestamp> deadline;
  if (sc && sc->clock.phase == ClockPhase::kRunning) {
    DeadlineClock dc(cal_, sc->clock);
    if (auto d = dc.Deadline(engine_.clock().Now()); d) deadline = *d;
  }
  int visit = 0;
  if (auto it = inst.taken.find("submit"); it != inst.taken.end()) visit = it->second;
  auto ti = inst.taken.find("reopen");
  visit += ti == inst.taken.end() ? 0 : ti->second;
  double u = Share(id, "rectify");
  double k = Share(id, "days:" + std::to_string(visit));
  Timestamp at;
  if (!deadline) {
    at = WorkdayAt(Today(), 3, 10, 0);
  } else {
    Date due = DeadlineDay(cal_, *deadline);
    if (visit > 0 || u < behaviour_.on_time) {
      at = WorkdayAt(due, -(1 + static_cast<int>(k * 4)), 10, 0);  // 1-4 working days early
      if (at <= engine_.clock().Now()) at = engine_.clock().Now() + std::chrono::hours(2);
    } else if (u < behaviour_.on_time + behaviour_.late) {
      at = WorkdayAt(due, 1 + static_cast<int>(k * 14), 10, 0);  // 1-14 working days late
    } else {
      return OkStatus();  // never: the chain runs its course
    }
  }
  std::string actor = inst.responsible;
  Schedule(at, [this, id, actor] {
    auto r = Act(id, "submit", actor, "", {"整改材料及佐证照片 (" + id + ")"});
    return r ? PlanNext(id) : OkStatus();
  });
  return OkStatus();
}

Status CadreScript::PlanJudgment(const Instance& inst) {
  // Seed 002: finance suspends payment "for the illegal allocation and use of project funds". An
  // item about funds (资金 in its title) whose chain opens a lasting measure to judgment gets it
  // two working days after it is assigned, from the first person the step names; it ends as the
  // chain says (on acceptance, for a suspension).
  const std::string id = inst.record.id;
  if (inst.title.find("资金") == std::string::npos || inst.taken.count("submit")) {
    return OkStatus();
  }
  auto bound = engine_.interpreter().Bind(inst);
  if (!bound) return OkStatus();
  const definition::Workflow& wf = *bound->workflow;
  const definition::Escalation* chain =
      bound->OverdueChain(wf.state(*wf.FindState(inst.record.state)));
  if (!chain) return OkStatus();
  for (const definition::EscalationStep& step : chain->steps()) {
    if (!step.judgment || !step.until || step.judgment->by.empty()) continue;
    bool taken_before = std::any_of(inst.measures.begin(), inst.measures.end(),
                                    [&](const MeasureRecord& m) { return m.step_id == step.id; });
    if (taken_before) return OkStatus();
    std::vector<std::string> who = ResolvePeople(*bound->org, wf, inst, step.judgment->by.front());
    if (who.empty()) return OkStatus();
    std::string actor = who.front(), step_id = step.id;
    Schedule(WorkdayAt(Today(), 2, 9, 30), [this, id, actor, step_id] {
      Command c;
      c.instance_id = id;
      c.event = kTakeMeasure;
      c.measure = step_id;
      c.actor = actor;
      c.reason = "违规拨付使用项目资金";
      ++actions_;
      auto r = engine_.Act(c);
      // A note when an action fails.
      if (!r) notes_.push_back(id + " " + step_id + " by " + actor + ": " + r.error().message());
      return OkStatus();
    });
    return OkStatus();
  }
  return OkStatus();
}

Status CadreScript::PlanVerify(const Instance& inst) {
  const std::string id = inst.record.id;
  std::string verifier = inst.Field("verifier");
  if (verifier.empty()) verifier = PickHolder(inst.record.unit_id, "verifier", id + "|verifier");
  if (verifier.empty()) return OkStatus();
  int rejected = 0;
  for (const char* e : {"reject", "return"}) {
    if (auto it = inst.taken.find(e); it != inst.taken.end()) rejected += it->second;
  }
  auto wf = engine_.interpreter().definitions().FindWorkflow(
      inst.record.workflow, static_cast<int>(inst.record.workflow_version));
  auto state = wf->FindState(inst.record.state);
  std::string back_event = Has(*wf, wf->state(*state), "reject") ? "reject" : "return";
  bool reject = rejected == 0 && Has(*wf, wf->state(*state), back_event) &&
                Share(id, "verify") < behaviour_.reject;
  Timestamp at = WorkdayAt(Today(), 1 + static_cast<int>(Share(id, "verify-days") * 3), 15, 0);
  Schedule(at, [this, id, verifier, reject, back_event] {
    auto r = reject ? Act(id, back_event, verifier, "佐证材料不充分，退回补充整改")
                    : Act(id, "accept", verifier);
    return r ? PlanNext(id) : OkStatus();
  });
  return OkStatus();
}

Status CadreScript::PlanNext(const std::string& id) {
  auto inst = engine_.Load(id);
  if (!inst) return inst.error();
  auto wf = engine_.interpreter().definitions().FindWorkflow(
      inst->record.workflow, static_cast<int>(inst->record.workflow_version));
  if (!wf) return OkStatus();
  auto si = wf->FindState(inst->record.state);
  if (!si) return OkStatus();
  const definition::State& s = wf->state(*si);
  if (Has(*wf, s, "submit")) {
    if (Status j = PlanJudgment(*inst); !j) return j;
    return PlanSubmit(*inst);
  }
  if (Has(*wf, s, "accept")) return PlanVerify(*inst);
  if (Has(*wf, s, "hold") && !inst->owner.empty()) {
    std::string owner = inst->owner;
    Schedule(WorkdayAt(Today(), 1 + static_cast<int>(Share(id, "hold") * 2), 9, 30),
             [this, id, owner] { return Act(id, "hold", owner) ? PlanNext(id) : OkStatus(); });
    return OkStatus();
  }
  if (Has(*wf, s, "file") && !inst->owner.empty()) {
    std::string owner = inst->owner;
    Schedule(WorkdayAt(Today(), 1, 16, 0), [this, id, owner] {
      (void)Act(id, "file", owner, "", {"约谈记录 (" + id + ")"});
      return OkStatus();
    });
    return OkStatus();
  }
  if (Has(*wf, s, "start") || Has(*wf, s, "report")) {
    std::string inspector = PickHolder(inst->record.unit_id, "inspector", id + "|inspector");
    if (inspector.empty()) return OkStatus();
    bool start = Has(*wf, s, "start");
    Timestamp at = start ? engine_.clock().Now() + std::chrono::hours(1)
                         : WorkdayAt(Today(), 3 + static_cast<int>(Share(id, "report") * 5), 17, 0);
    Schedule(at, [this, id, inspector, start] {
      auto r = start ? Act(id, "start", inspector)
                     : Act(id, "report", inspector, "", {"督查报告 (" + id + ")"});
      return r && start ? PlanNext(id) : OkStatus();
    });
  }
  return OkStatus();
}

Status CadreScript::RunDue() {
  Timestamp now = engine_.clock().Now();
  while (!queue_.empty() && queue_.top().at <= now) {
    Action a = queue_.top();
    queue_.pop();
    if (Status s = a.run(); !s) return s;
  }
  return OkStatus();
}

Status CadreScript::Observe(const std::vector<std::string>& instance_ids) {
  std::vector<std::string> ids = instance_ids;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (const std::string& id : ids) {
    auto rows = engine_.store().AuditOf(id);
    if (!rows) return rows.error();
    std::int64_t& seen = seen_seq_[id];
    for (const AuditRecord& row : *rows) {
      if (row.seq <= seen) continue;
      seen = row.seq;
      auto data = json::parse(row.data_json).as_object();
      if (row.event == "look_back" && data.contains("sampled")) {
        std::vector<std::string> sampled;
        for (const auto& v : data.at("sampled").as_array()) sampled.emplace_back(v.as_string());
        if (Status s = Observe(sampled); !s) return s;
      } else if (row.event == "escalate" && data.contains("task")) {
        if (Status s = PlanNext(std::string(data.at("task").as_string())); !s) return s;
      } else if (row.event == "look_back") {
        // An item a look back sampled: an inspector re-inspects it and reopens it if it fails.
        auto inst = engine_.Load(id);
        if (!inst) return inst.error();
        std::string inspector = PickHolder(inst->record.unit_id, "inspector", id + "|look_back");
        bool fails = Share(id, "look_back") < behaviour_.look_back_fail;
        Timestamp at =
            WorkdayAt(Today(), 2 + static_cast<int>(Share(id, "look_back_days") * 5), 10, 0);
        if (fails && !inspector.empty()) {
          Schedule(at, [this, id, inspector] {
            auto r = Act(id, "reopen", inspector, "回头看发现整改不到位，问题反弹");
            return r ? PlanNext(id) : OkStatus();
          });
        }
      } else if (row.event == "assessment" && !data.contains("published") &&
                 data.contains("period_label")) {
        PlanAssessment(data);
      } else if ((row.event == "checkpoint_opened" || row.event == "recurring") &&
                 data.contains("instances")) {
        for (const auto& v : data.at("instances").as_array()) {
          std::string opened(v.as_string());
          seen_seq_[opened] = 0;
          if (Status s = PlanNext(opened); !s) return s;
        }
      }
    }
  }
  return OkStatus();
}

void CadreScript::PlanAssessment(const json::object& data) {
  std::string name(data.at("assessment").as_string());
  name = name.substr(0, name.find('@'));
  std::shared_ptr<const definition::Assessment> a;
  for (const definition::Recurring& r : campaign_->recurring()) {
    if (r.assessment && r.assessment->info().name == name) a = r.assessment;
  }
  if (!a) return;
  std::string period(data.at("period_label").as_string());
  std::string campaign = campaign_->info().name;
  std::vector<std::string> units;
  for (const auto& row : data.at("ranking").as_array()) {
    units.emplace_back(row.as_object().at("unit").as_string());
  }
  auto entry = [&](const std::string& unit) {
    AssessmentEntry e;
    e.campaign = campaign;
    e.assessment = name;
    e.period = period;
    e.unit = unit;
    e.channel = "simulate";
    return e;
  };
  // What the script's inspectors write down.
  auto run = [this](const Result<json::object>& r, const std::string& what) {
    if (!r) notes_.push_back(what + ": " + r.error().message());
    ++actions_;
    return OkStatus();
  };
  int minute = 0;
  for (const std::string& unit : units) {
    // Once per unit and round, in a simulation.
    std::string salt = unit + "|" + period;
    Timestamp at = WorkdayAt(Today(), 1, 9, 0) + std::chrono::minutes(minute++);
    // One inspector marks the township on every criterion at a sitting (one commit).
    std::vector<AssessmentEntry> marks;
    for (const definition::Criterion& c : a->criteria()) {
      std::string by = PickHolder(unit, a->RoleOr(c.by), salt + "|marks");
      if (by.empty()) continue;
      AssessmentEntry e = entry(unit);
      e.criterion = c.id;
      e.actor = by;
      // 60..max by halves: most units do well, a few poorly.
      e.value = std::round((0.6 + 0.4 * Share(salt, c.id)) * c.max * 2) / 2;
      e.note = "月度督查: " + c.title;
      marks.push_back(std::move(e));
    }
    if (!marks.empty()) {
      Schedule(at, [this, marks] {
        auto r = EnterMarks(engine_, marks);
        if (!r) notes_.push_back("marks " + marks.front().unit + ": " + r.error().message());
        ++actions_;
        return OkStatus();
      });
    }
    if (a->bonus().max > 0 && Share(salt, "bonus") < 0.125) {
      AssessmentEntry e = entry(unit);
      e.actor = PickHolder(unit, a->RoleOr(a->bonus().by), salt + "|bonus");
      e.value = std::max(1.0, std::round(Share(salt, "bonus_points") * a->bonus().max));
      e.note = "工作经验在全县推介";
      if (!e.actor.empty()) {
        Schedule(at, [this, e, run] { return run(EnterBonus(engine_, e), "bonus " + e.unit); });
      }
    }
    for (const definition::Veto& v : a->vetoes()) {
      if (v.when != definition::Veto::When::kManual || a->RoleOr(v.by).empty()) continue;
      if (Share(salt, "veto|" + v.id) >= 0.025) continue;
      AssessmentEntry e = entry(unit);
      e.criterion = v.id;
      e.actor = PickHolder(unit, a->RoleOr(v.by), salt + "|veto");
      e.note = "督查发现: " + v.title;
      if (!e.actor.empty()) {
        Schedule(at, [this, e, run] { return run(TakeVeto(engine_, e), "veto " + e.unit); });
      }
    }
  }
  std::string role = a->published_by().empty() ? a->assessed_by() : a->published_by();
  std::string publisher = PickHolder(campaign_->org().unit(0).id, role, period + "|publish");
  if (publisher.empty()) return;
  Schedule(WorkdayAt(Today(), 3, 16, 0), [this, campaign, name, period, publisher] {
    auto v = PublishAssessment(engine_, campaign, name, period, publisher, "simulate");
    if (!v) notes_.push_back("publish " + period + ": " + v.error().message());
    ++actions_;
    return OkStatus();
  });
}

Result<SimulationReport> RunScripted(Engine& engine, VirtualClock& clock,
                                     boost::asio::io_context& io, CadreScript* script,
                                     Timestamp until,
                                     const std::function<void(Timestamp)>& progress) {
  SimulationReport report;
  for (;;) {
    auto next = engine.store().DueTimers(until, 1);
    if (!next) return next.error();
    // Timestamp::max() for "none" (rather than optionals, which g++ 12 misreads as maybe
    // uninitialized here).
    constexpr Timestamp kNone = Timestamp::max();
    Timestamp timer_at = next->empty() ? kNone : std::max(next->front().due_at, clock.Now());
    Timestamp action_at = kNone;
    if (script && script->NextAt() && *script->NextAt() <= until) action_at = *script->NextAt();
    if (timer_at == kNone && action_at == kNone) break;
    if (timer_at <= action_at) {  // timers first at the same instant
      clock.AdvanceTo(io, timer_at);
      auto due = engine.store().DueTimers(clock.Now(), 1000);
      if (!due) return due.error();
      auto fired = engine.FireTimers(*due);
      if (!fired) return fired.error();
      report.fired.timers += fired->timers;
      report.fired.instances += fired->instances;
      report.fired.skipped += fired->skipped;
      report.fired.batches += fired->batches;
      report.fired.errors.insert(report.fired.errors.end(), fired->errors.begin(),
                                 fired->errors.end());
      if (fired->timers == 0 && fired->skipped == 0 && !fired->errors.empty()) break;
      if (script) {
        std::vector<std::string> ids;
        for (const TimerRecord& t : *due) ids.push_back(t.key.instance_id);
        if (Status s = script->Observe(ids); !s) return s.error();
      }
    } else {
      clock.AdvanceTo(io, action_at);
      if (Status s = script->RunDue(); !s) return s.error();
    }
    if (progress) progress(clock.Now());
  }
  if (clock.Now() < until) clock.AdvanceTo(io, until);
  if (script) report.actions = script->actions();
  return report;
}

}  // namespace rectify::engine
