// Timer firings: reminders and escalation steps. Each firing claims its timer (TimerFire), so a
// second engine or a retry that fires the same timer fails its commit with kConflict and changes
// nothing: a step takes effect exactly once.
#include <algorithm>
#include <boost/json.hpp>

#include "rectify/definition/escalation.h"
#include "rectify/engine/access.h"
#include "rectify/engine/interpreter.h"
#include "step.h"

namespace rectify::engine {

namespace json = boost::json;
using internal::Step;

namespace {

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

Status FireReminder(Step& step, const PendingTimer& timer, int index, bool late) {
  const definition::State& state = step.CurrentState();
  if (index < 0 || static_cast<std::size_t>(index) >= state.reminders.size()) return OkStatus();
  const definition::Reminder& r = state.reminders[static_cast<std::size_t>(index)];
  std::vector<std::string> people;
  std::vector<definition::RolePath> paths = r.notify;
  if (paths.empty()) {
    if (state.deadline.owner) {
      paths.push_back(*state.deadline.owner);
    } else {
      definition::RolePath responsible;
      responsible.base = definition::RolePath::Base::kItemRole;
      responsible.name = "responsible";
      responsible.text = "responsible";
      paths.push_back(responsible);
    }
  }
  for (const auto& path : paths) {
    for (const auto& id : ResolvePeople(step.org(), step.wf(), step.inst(), path)) {
      if (std::find(people.begin(), people.end(), id) == people.end()) people.push_back(id);
    }
  }
  StateClock* sc = step.Clock();
  sc->reminders_sent.push_back(index);
  auto deadline = step.RunningDeadline();
  // A reminder timer armed before reminders moved into working hours (at local 24:00 of a day
  // deadline, with the first letter) fires after the deadline: the letters speak for the lapse,
  // so it is recorded as skipped, not sent twice over.
  if (deadline && *deadline <= step.now() && state.overdue && !state.overdue->steps().empty()) {
    json::object data{{"timer", timer.name},
                      {"generation", timer.generation},
                      {"due", FormatIso(timer.due)},
                      {"late", late},
                      {"offset", r.text},
                      {"recipients", json::array()},
                      {"skipped", "the deadline has passed; the overdue chain " +
                                      state.overdue->info().name + " speaks for it"}};
    step.Audit(kSystemActor, "remind", state.id, state.id, "", std::move(data));
    return OkStatus();
  }
  json::object payload = step.ItemPayload();
  std::string text =
      "Reminder (整改提醒): item " + step.inst().record.id + " '" + step.inst().title + "'";
  if (deadline && step.bound().calendar) {
    payload["due"] = FormatDate(DeadlineDay(*step.bound().calendar, *deadline));
    text += ": " + internal::DeadlineText(*step.bound().calendar, *deadline, step.now());
  }
  payload["offset"] = r.text;
  payload["message"] = text;
  step.Notify(people, "reminder", payload, timer.name, timer.generation, false);
  json::object data{{"timer", timer.name},
                    {"generation", timer.generation},
                    {"due", FormatIso(timer.due)},
                    {"late", late},
                    {"offset", r.text},
                    {"recipients", Strings(people)}};
  step.Audit(kSystemActor, "remind", state.id, state.id, "", std::move(data));
  if (people.empty()) step.NoRecipient("reminder", paths, timer.name);
  return OkStatus();
}

std::string TaskId(const Instance& inst, const std::string& step_id) {
  int seen = 0;
  for (const auto& e : inst.escalations) seen += e.step_id == step_id && !e.task_id.empty();
  std::string id = inst.record.id + "/" + step_id;
  return seen == 0 ? id : id + "-" + std::to_string(seen + 1);
}

}  // namespace

namespace internal {

Status FireEscalation(const Interpreter& interp, Step& step, const PendingTimer& timer, int index,
                      bool late, const Judgment* judgment) {
  const definition::State& state = step.CurrentState();
  const definition::Escalation* overdue = step.bound().OverdueChain(state);
  if (!overdue || index < 0 || static_cast<std::size_t>(index) >= overdue->steps().size()) {
    return OkStatus();
  }
  const definition::Escalation& chain = *overdue;
  const definition::EscalationStep& es = chain.steps()[static_cast<std::size_t>(index)];
  Instance& inst = step.inst();
  const definition::Org& org = step.org();
  std::vector<std::string> people;
  for (const auto& path : es.notify) {
    for (const auto& id : ResolvePeople(org, step.wf(), inst, path)) {
      if (std::find(people.begin(), people.end(), id) == people.end()) people.push_back(id);
    }
  }
  StateClock* sc = step.Clock();
  sc->escalation_level = std::max(sc->escalation_level, index + 1);
  EscalationTaken taken;
  taken.state = state.id;
  taken.step = index;
  taken.step_id = es.id;
  taken.measure = std::string(definition::MeasureName(es.measure));
  taken.due = timer.due;
  taken.at = step.now();
  taken.late = late;
  if (judgment) {
    taken.by = judgment->actor;
    taken.reason = judgment->reason;
  }

  json::object payload = step.ItemPayload();
  std::string measure_label(definition::MeasureLabel(es.measure));
  auto deadline = step.RunningDeadline();
  std::string since;
  if (deadline && step.bound().calendar) {
    payload["due"] = FormatDate(DeadlineDay(*step.bound().calendar, *deadline));
    // A step by judgment can come before the deadline.
    if (*deadline <= step.now()) {
      since = " is overdue since " + FormatDate(DeadlineDay(*step.bound().calendar, *deadline));
    }
  }
  std::string unit_name = inst.record.unit_id;
  auto item_unit = org.FindUnit(inst.record.unit_id);
  if (item_unit) unit_name = org.unit(*item_unit).name;
  payload["measure"] = std::string(definition::MeasureName(es.measure));
  payload["level"] = index + 1;
  payload["chain"] = chain.info().name;
  payload["message"] = measure_label + ": item " + inst.record.id + " '" + inst.title + "' of " +
                       unit_name + since + " (step " + std::to_string(index + 1) + " of " +
                       std::to_string(chain.steps().size()) + ", " + chain.info().name + ")";
  if (judgment) {
    payload["message"] = std::string(payload["message"].as_string()) + ", decided by " +
                         PersonLabel(org, judgment->actor) + ": " + judgment->reason;
    payload["reason"] = judgment->reason;
    payload["decided_by"] = PersonLabel(org, judgment->actor);
  }

  json::object data{{"timer", timer.name},
                    {"generation", timer.generation},
                    {"due", FormatIso(timer.due)},
                    {"late", late},
                    {"step", es.id},
                    {"chain", chain.info().name + "@" + std::to_string(chain.info().version)},
                    {"level", index + 1},
                    {"measure", payload["measure"]}};
  if (judgment) {
    data["judgment"] = true;
    if (!judgment->channel.empty()) data["channel"] = judgment->channel;
    if (!judgment->request_id.empty()) data["request_id"] = judgment->request_id;
  }

  if (es.task) {
    const definition::FollowUpTask& task = *es.task;
    std::vector<std::string> owners = ResolvePeople(org, step.wf(), inst, task.owner);
    NewInstance req;
    req.id = TaskId(inst, es.id);
    req.workflow = task.workflow.name;
    req.workflow_version = task.workflow.version;
    req.org = inst.org;
    req.campaign = inst.record.campaign;
    req.unit = inst.record.unit_id;
    req.responsible = inst.responsible;
    req.owner = owners.empty() ? "" : owners.front();
    req.parent = inst.record.id;
    req.title = (task.title.empty() ? measure_label : task.title) + ": " + inst.title;
    req.first_deadline = task.within;
    req.at = step.now();
    auto created = interp.Create(req);
    if (!created) return created.error().WithContext("opening the follow-up task of " + es.id);
    taken.task_id = req.id;
    data["task"] = req.id;
    data["task_owner"] = req.owner;
    payload["task"] = req.id;
    step.fx().follow_ups.push_back(std::move(*created));
  }
  if (es.score != 0) {
    inst.deductions.push_back({inst.record.unit_id, es.score, es.id, step.now()});
    data["score"] = es.score;
    payload["score"] = es.score;
  }
  if (es.suspend_payment) {
    inst.payment_suspended = true;
    data["payment_suspended"] = true;
  }
  if (!es.bulletin.empty() && item_unit) {
    auto where = org.Enclosing(*item_unit, es.bulletin);
    if (where) {
      const std::string& bulletin_unit = org.unit(*where).id;
      if (std::find(inst.bulletins.begin(), inst.bulletins.end(), bulletin_unit) ==
          inst.bulletins.end()) {
        inst.bulletins.push_back(bulletin_unit);
      }
      data["bulletin"] = bulletin_unit;
      step.NotifyUnit(bulletin_unit, "bulletin", "bulletin", payload, timer.name, timer.generation);
    }
  }
  // The unit that carries the measure out (finance for a suspension) is told to, apart from
  // those told of it; someone on both lists gets the one notice to carry it out.
  std::vector<std::string> carriers;
  for (const auto& path : es.carried_out_by) {
    for (const auto& id : ResolvePeople(org, step.wf(), inst, path)) {
      if (std::find(carriers.begin(), carriers.end(), id) == carriers.end()) carriers.push_back(id);
    }
  }
  std::erase_if(people, [&](const std::string& id) {
    return std::find(carriers.begin(), carriers.end(), id) != carriers.end();
  });
  std::string carrying_unit;
  if (!carriers.empty()) {
    if (auto p = org.FindPerson(carriers.front())) {
      carrying_unit = org.unit(org.person(*p).unit).id;
      payload["carrying_unit"] = carrying_unit;
      payload["carrying_unit_name"] = org.unit(org.person(*p).unit).name;
    }
    data["carried_out_by"] = Strings(carriers);
    step.Notify(carriers, "measure-carry", payload, timer.name, timer.generation, es.urgent);
  }
  if (es.until) {
    MeasureRecord m;
    m.measure = taken.measure;
    m.step_id = es.id;
    m.state = state.id;
    m.chain = chain.info().name + "@" + std::to_string(chain.info().version);
    m.by = judgment ? judgment->actor : kSystemActor;
    m.reason = judgment ? judgment->reason : "";
    m.unit_id = carrying_unit;
    m.carried_out_by = carriers;
    m.since = step.now();
    inst.measures.push_back(std::move(m));
    data["lasts"] = true;
  }
  data["recipients"] = Strings(people);
  step.Notify(people, "escalation", payload, timer.name, timer.generation, es.urgent);
  inst.escalations.push_back(std::move(taken));
  step.Audit(judgment ? judgment->actor : kSystemActor, "escalate", state.id, state.id,
             judgment ? judgment->reason : "", std::move(data));
  if (people.empty() && carriers.empty() && !es.notify.empty()) {
    step.NoRecipient("escalation step " + es.id, es.notify, timer.name);
  }
  return OkStatus();
}

}  // namespace internal

Result<Effects> Interpreter::Fire(const Instance& instance, const std::vector<TimerRecord>& timers,
                                  Timestamp now) const {
  auto bound = Bind(instance);
  if (!bound) return bound.error();
  Step step(*this, *bound, instance, now);
  // On a new calendar version the timers armed on the old one are stale: claimed and ignored
  // below, and re-armed on the new dates by ProjectTimers.
  if (auto moved = step.FollowCalendar(kSystemActor, "", nullptr); !moved) return moved.error();
  for (const TimerRecord& t : timers) {
    // Taken already by an earlier step's catch-up below (its timer is fired with it).
    auto& fired = step.fx().fire;
    if (std::any_of(fired.begin(), fired.end(),
                    [&](const TimerFire& f) { return f.key == t.key; })) {
      continue;
    }
    step.fx().fire.push_back({t.key, now});
    auto& pending = step.inst().timers;
    auto it = std::find_if(pending.begin(), pending.end(), [&](const PendingTimer& p) {
      return p.name == t.key.name && p.generation == t.key.generation;
    });
    if (it == pending.end()) continue;  // stale: claimed, and nothing else
    PendingTimer timer = *it;
    pending.erase(it);
    // A name that does not parse, not an item's or of another state is stale: claimed, and
    // nothing else.
    auto name = TimerName::Parse(timer.name);
    if (!name || !name->OfItemState() || name->id != step.inst().record.state) continue;
    const int index = name->index;
    if (name->kind == TimerName::Kind::kEscalate) {
      // Steps take effect in the chain's order. Two workers (or nodes) can split an item's due
      // steps between their claims; should this one come first, the earlier steps it passes over
      // take effect here, before it, with their timers fired in the same commit (unfenced: the
      // other claimer's commit then finds them fired and skips them). Without this, the level
      // would rise past them and the projection never arm them again.
      const StateClock* sc = step.Clock();
      for (int k = sc ? sc->escalation_level : index; k < index; ++k) {
        std::string earlier_name = TimerName::Escalate(name->id, k).Format();
        auto earlier = std::find_if(pending.begin(), pending.end(), [&](const PendingTimer& p) {
          return p.name == earlier_name && p.generation == timer.generation;
        });
        if (earlier == pending.end()) continue;
        PendingTimer passed = *earlier;
        pending.erase(earlier);
        if (passed.armed)
          step.fx().fire.push_back({{t.key.instance_id, earlier_name, passed.generation}, now});
        if (Status e =
                internal::FireEscalation(*this, step, passed, k, now - passed.due > kLateAfter);
            !e) {
          return e.error();
        }
      }
    }
    bool late = now - timer.due > kLateAfter;
    Status s = name->kind == TimerName::Kind::kRemind ? FireReminder(step, timer, index, late)
               : name->kind == TimerName::Kind::kEscalate
                   ? internal::FireEscalation(*this, step, timer, index, late)
                   : OkStatus();
    if (!s) return s.error();
  }
  if (Status s = step.ProjectTimers(); !s) return s.error();
  return step.Finish();
}

}  // namespace rectify::engine
