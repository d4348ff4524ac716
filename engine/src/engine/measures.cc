// Measures by judgment and measures that last (measures.h): the checks before a person takes or
// ends one, and the ends that an item's own events bring.
#include "rectify/engine/measures.h"

#include <algorithm>
#include <boost/json.hpp>

#include "rectify/engine/access.h"
#include "rectify/engine/interpreter.h"
#include "step.h"

namespace rectify::engine {

namespace json = boost::json;

const definition::EscalationStep* FindMeasureStep(const definition::Escalation& chain,
                                                  const std::string& name) {
  for (const auto& s : chain.steps()) {
    if (s.id == name) return &s;
  }
  const definition::EscalationStep* found = nullptr;
  for (const auto& s : chain.steps()) {
    if (definition::MeasureName(s.measure) != name) continue;
    if (found) return nullptr;  // two steps take it: the step id must say which
    found = &s;
  }
  return found;
}

std::vector<const MeasureRecord*> MeasuresInForce(const Instance& instance) {
  std::vector<const MeasureRecord*> out;
  for (const MeasureRecord& m : instance.measures) {
    if (m.in_force()) out.push_back(&m);
  }
  return out;
}

namespace {

std::string Day(const Calendar* calendar, Timestamp t) {
  return calendar ? FormatDate(calendar->DateOf(t)) : FormatIso(t).substr(0, 10);
}

std::string MeasureLabelOf(const std::string& name) {
  auto m = definition::ParseMeasure(name);
  return m ? std::string(definition::MeasureLabel(*m)) : name;
}

}  // namespace

std::string DescribeMeasure(const definition::Org& org, const MeasureRecord& m,
                            const Calendar* calendar) {
  std::string text = MeasureLabelOf(m.measure) + " since " + Day(calendar, m.since);
  // By the unit that carries it out, as the seed says it ("by the county finance bureau").
  if (!m.unit_id.empty()) {
    text +=
        " by " + (org.FindUnit(m.unit_id) ? org.unit(*org.FindUnit(m.unit_id)).name : m.unit_id);
  }
  if (m.by != kSystemActor) {
    text += ", decided by " + PersonLabel(org, m.by);
  } else {
    text += ", by time (step " + m.step_id + ")";
  }
  if (!m.reason.empty()) text += ", for " + m.reason;
  if (m.ended_at) {
    text += "; ended " + Day(calendar, *m.ended_at);
    if (!m.end_event.empty()) {
      text += " on " + m.end_event;
      if (m.ended_by != kSystemActor) text += " by " + PersonLabel(org, m.ended_by);
    } else {
      text += " by " + PersonLabel(org, m.ended_by);
    }
    if (!m.end_reason.empty()) text += ": " + m.end_reason;
  }
  return text;
}

json::object MeasureJson(const definition::Org& org, const MeasureRecord& m,
                         const Calendar* calendar) {
  auto at = [&](Timestamp t) { return calendar ? calendar->FormatLocal(t) : FormatIso(t); };
  json::object o{{"measure", m.measure},     {"label", MeasureLabelOf(m.measure)},
                 {"step", m.step_id},        {"chain", m.chain},
                 {"in_force", m.in_force()}, {"since", at(m.since)},
                 {"decided_by", m.by},       {"reason", m.reason},
                 {"unit", m.unit_id}};
  if (auto u = org.FindUnit(m.unit_id)) o["unit_name"] = org.unit(*u).name;
  o["carried_out_by"] = json::array(m.carried_out_by.begin(), m.carried_out_by.end());
  if (m.ended_at) {
    o["ended_at"] = at(*m.ended_at);
    o["ended_by"] = m.ended_by;
    o["end_event"] = m.end_event;
    o["end_reason"] = m.end_reason;
  }
  o["text"] = DescribeMeasure(org, m, calendar);
  return o;
}

namespace internal {
namespace {

// The step of the chain a lasting measure came from; null when that chain is not loaded.
const definition::EscalationStep* StepOf(const Interpreter& interp, const MeasureRecord& m) {
  auto nv = definition::ParseNameVersion(m.chain);
  if (!nv) return nullptr;
  auto chain = interp.definitions().FindEscalation(nv->name, nv->version);
  if (!chain) return nullptr;
  for (const auto& s : chain->steps()) {
    if (s.id == m.step_id) return &s;
  }
  return nullptr;
}

std::string JudgedSteps(const definition::Escalation& chain) {
  std::string out;
  for (const auto& s : chain.steps()) {
    if (s.judgment) out += (out.empty() ? "" : ", ") + s.id;
  }
  return out.empty() ? "none" : out;
}

// A transition-like check of who may act: the roles are checked as a transition's `by:`.
Status CheckRoles(const Bound& bound, const Instance& inst,
                  const std::vector<definition::RolePath>& by, const std::string& what,
                  const std::string& actor) {
  definition::Transition t;
  t.event = what;
  t.by = by;
  return CheckActor(*bound.org, *bound.workflow, inst, t, actor);
}

// Ends `m` at `step.now()`, with its audit row and a notice to those who carry it out.
void End(Step& step, MeasureRecord& m, const std::string& actor, const std::string& event,
         const std::string& reason, const Command* cmd) {
  Instance& inst = step.inst();
  m.ended_at = step.now();
  m.ended_by = actor;
  m.end_event = event;
  m.end_reason = reason;
  if (m.measure == definition::MeasureName(definition::Measure::kSuspendPayment)) {
    // Payment stays suspended while another suspension is in force.
    inst.payment_suspended =
        std::any_of(inst.measures.begin(), inst.measures.end(), [](const MeasureRecord& other) {
          return other.in_force() &&
                 other.measure == definition::MeasureName(definition::Measure::kSuspendPayment);
        });
  }
  json::object data{{"measure", m.measure},
                    {"step", m.step_id},
                    {"chain", m.chain},
                    {"since", FormatIso(m.since)},
                    {"decided_by", m.by}};
  if (!event.empty()) data["end_event"] = event;
  if (cmd && !cmd->channel.empty()) data["channel"] = cmd->channel;
  if (cmd && !cmd->request_id.empty()) data["request_id"] = cmd->request_id;
  const std::string key = "measure:" + m.step_id + ":end";
  if (!m.carried_out_by.empty()) {
    json::object payload = step.ItemPayload();
    payload["measure"] = m.measure;
    payload["since"] = Day(step.DeliveryCalendar(), m.since);
    payload["ended"] = Day(step.DeliveryCalendar(), step.now());
    payload["reason"] = reason.empty() ? "'" + event + "'" : reason;
    payload["message"] = MeasureLabelOf(m.measure) + " of item " + inst.record.id + " '" +
                         inst.title + "' ended: " + std::string(payload["reason"].as_string());
    step.Notify(m.carried_out_by, "measure-ended", payload, key, inst.audit_seq + 1, false);
    data["recipients"] = json::array(m.carried_out_by.begin(), m.carried_out_by.end());
  }
  const std::string& state = inst.record.state;
  step.Audit(actor, kMeasureEndEvent, state, state, reason, std::move(data));
}

}  // namespace

Status EndMeasuresOn(Step& step, const std::string& event, const std::string& actor) {
  Instance& inst = step.inst();
  for (std::size_t i = 0; i < inst.measures.size(); ++i) {
    if (!inst.measures[i].in_force()) continue;
    const definition::EscalationStep* es = StepOf(step.interp(), inst.measures[i]);
    if (!es || !es->until) continue;
    const auto& events = es->until->events;
    if (std::find(events.begin(), events.end(), event) == events.end()) continue;
    End(step, inst.measures[i], actor, event, "", nullptr);
  }
  return OkStatus();
}

Result<Effects> ApplyMeasure(const Interpreter& interp, const Bound& bound,
                             const Instance& instance, const Command& cmd) {
  const definition::Workflow& wf = *bound.workflow;
  const definition::State& state = wf.state(*wf.FindState(instance.record.state));
  const std::string item = "item " + instance.record.id;
  const bool take = cmd.event == kTakeMeasure;
  if (cmd.measure.empty()) {
    return Error::BadInput("name the measure to " + std::string(take ? "take" : "end") +
                           " (--measure suspend_payment)");
  }
  if (cmd.actor == kSystemActor) {
    return Error::PermissionDenied("a measure is taken or ended by judgment of a person, not by " +
                                   std::string("the system"));
  }
  const std::string reason = cmd.reason;
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Error::BadInput(std::string("a reason is required to ") + (take ? "take" : "end") +
                           " a measure: say why (--reason \"项目资金违规拨付使用\")");
  }

  if (!take) {
    MeasureRecord* found = nullptr;
    std::string in_force;
    for (const MeasureRecord& m : instance.measures) {
      if (m.in_force()) in_force += (in_force.empty() ? "" : ", ") + m.step_id;
    }
    Instance copy = instance;
    for (MeasureRecord& m : copy.measures) {
      if (m.in_force() && (m.step_id == cmd.measure || m.measure == cmd.measure)) found = &m;
    }
    if (!found) {
      return Error::FailedPrecondition("no measure '" + cmd.measure + "' is in force on " + item +
                                       "; in force: " + (in_force.empty() ? "none" : in_force));
    }
    const definition::EscalationStep* es = StepOf(interp, *found);
    if (!es || !es->until) {
      return Error::FailedPrecondition("the chain " + found->chain + " of measure '" +
                                       found->step_id + "' on " + item +
                                       " is not loaded; load it to end the measure");
    }
    if (es->until->by.empty()) {
      std::string events;
      for (const auto& e : es->until->events) events += (events.empty() ? "" : ", ") + e;
      return Error::PermissionDenied("measure '" + found->step_id + "' on " + item +
                                     " is ended only by the item's " + events + ", not by an act");
    }
    if (Status s =
            CheckRoles(bound, instance, es->until->by, "end measure " + found->step_id, cmd.actor);
        !s) {
      return s.error();
    }
    const std::string step_id = found->step_id;
    Step step(interp, bound, instance, cmd.at);
    if (auto moved = step.FollowCalendar(kSystemActor, "", nullptr); !moved) return moved.error();
    for (MeasureRecord& m : step.inst().measures) {
      if (m.in_force() && m.step_id == step_id) {
        End(step, m, cmd.actor, "", reason, &cmd);
        break;
      }
    }
    if (Status s = step.ProjectTimers(); !s) return s.error();
    return step.Finish();
  }

  const definition::Escalation* chain = bound.OverdueChain(state);
  if (state.final || !chain) {
    return Error::FailedPrecondition(
        item + " is in state '" + state.id + "'" +
        (state.title.empty() ? "" : " (" + state.title + ")") +
        ", which runs no escalation chain: measures are taken only while it is being rectified");
  }
  const definition::EscalationStep* es = FindMeasureStep(*chain, cmd.measure);
  if (!es) {
    return Error::BadInput("chain " + chain->info().name + " of " + item + " has no step '" +
                           cmd.measure + "'; steps taken by judgment: " + JudgedSteps(*chain));
  }
  if (!es->judgment) {
    return Error::FailedPrecondition(
        "step '" + es->id + "' of chain " + chain->info().name + " is taken only by time (" +
        es->after_text + " after the deadline); steps taken by judgment: " + JudgedSteps(*chain));
  }
  if (Status s = CheckRoles(bound, instance, es->judgment->by, "take measure " + es->id, cmd.actor);
      !s) {
    return s.error();
  }
  for (const MeasureRecord& m : instance.measures) {
    if (m.in_force() && m.step_id == es->id) {
      return Error::FailedPrecondition("measure '" + es->id + "' is already in force on " + item +
                                       " since " + FormatIso(m.since) + "; end it first");
    }
  }
  Step step(interp, bound, instance, cmd.at);
  if (auto moved = step.FollowCalendar(kSystemActor, "", nullptr); !moved) return moved.error();
  StateClock* sc = step.Clock();
  if (!sc) {
    return Error::FailedPrecondition(item + " has no deadline in state '" + state.id +
                                     "', so its escalation ladder has nothing to count from");
  }
  if (es->judgment->when == definition::StepJudgment::When::kOverdue) {
    auto deadline = step.RunningDeadline();
    if (!deadline || *deadline > cmd.at) {
      return Error::FailedPrecondition(
          "step '" + es->id + "' of chain " + chain->info().name +
          " may be taken by judgment only once " + item + " is overdue" +
          (deadline ? " (its time limit ends " + FormatIso(*deadline) + ")" : std::string()));
    }
  }
  const int index = es->index;
  PendingTimer now{TimerName::Judge(state.id, index).Format(), step.inst().audit_seq + 1, cmd.at};
  internal::Judgment judgment{cmd.actor, reason, cmd.channel, cmd.request_id};
  if (Status s = FireEscalation(interp, step, now, index, false, &judgment); !s) return s.error();
  if (Status s = step.ProjectTimers(); !s) return s.error();
  return step.Finish();
}

}  // namespace internal
}  // namespace rectify::engine
