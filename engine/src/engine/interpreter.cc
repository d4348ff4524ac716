// Registration and commands: checks first (transition, actor, fields, requirements, limits),
// then the change, the audit row and the timer projection.
#include "rectify/engine/interpreter.h"

#include <algorithm>
#include <boost/json.hpp>

#include "rectify/engine/access.h"
#include "rectify/engine/campaign_items.h"
#include "rectify/engine/measures.h"
#include "rectify/notify/contact.h"
#include "step.h"

namespace rectify::engine {

namespace json = boost::json;
using definition::FieldType;
using definition::Requirement;
using definition::Transition;
using internal::Step;

void Effects::AppendTo(ChangeSet& changes) const {
  if (created) {
    changes.instance_inserts.push_back(instance.record);
  } else {
    changes.instance_updates.push_back({instance.record, expected_version});
  }
  changes.timer_cancels.insert(changes.timer_cancels.end(), cancel.begin(), cancel.end());
  changes.timer_fires.insert(changes.timer_fires.end(), fire.begin(), fire.end());
  changes.timer_arms.insert(changes.timer_arms.end(), arm.begin(), arm.end());
  changes.outbox_inserts.insert(changes.outbox_inserts.end(), outbox.begin(), outbox.end());
  changes.outbox_updates.insert(changes.outbox_updates.end(), outbox_updates.begin(),
                                outbox_updates.end());
  changes.audit_appends.insert(changes.audit_appends.end(), audit.begin(), audit.end());
  for (const Effects& f : follow_ups) f.AppendTo(changes);
}

Interpreter::Interpreter(std::shared_ptr<const definition::DefinitionSet> definitions)
    : definitions_(std::move(definitions)) {}

Result<Bound> Interpreter::Bind(const Instance& instance) const {
  Bound b;
  b.workflow = definitions_->FindWorkflow(instance.record.workflow,
                                          static_cast<int>(instance.record.workflow_version));
  if (!b.workflow) {
    return Error::FailedPrecondition("instance " + instance.record.id + " runs on workflow " +
                                     instance.record.workflow + "@" +
                                     std::to_string(instance.record.workflow_version) +
                                     ", which is not loaded; load the definitions it started with");
  }
  b.org = definitions_->FindOrg(instance.org, instance.org_version);
  if (!b.org) {
    return Error::FailedPrecondition("instance " + instance.record.id + " belongs to org " +
                                     instance.org + "@" + std::to_string(instance.org_version) +
                                     ", which is not loaded");
  }
  b.calendar = ItemCalendar(*definitions_, *b.workflow, instance.record.campaign);
  if (!instance.escalation.empty()) {
    auto nv = definition::ParseNameVersion(instance.escalation);
    if (nv) b.escalation = definitions_->FindEscalation(nv->name, nv->version);
    if (!b.escalation) {
      return Error::FailedPrecondition(
          "instance " + instance.record.id + " runs escalation chain " + instance.escalation +
          ", which is not loaded; load the definitions it started with");
    }
  }
  return b;
}

const definition::Escalation* Bound::OverdueChain(const definition::State& state) const {
  if (!state.overdue) return nullptr;
  return escalation ? escalation.get() : state.overdue.get();
}

namespace {

// Checks a field value against its declared type; person ids against the org.
Status CheckField(const definition::Org& org, const definition::Workflow& wf,
                  const std::string& name, const std::string& value) {
  auto index = wf.FindField(name);
  if (!index) {
    std::string known;
    for (const auto& f : wf.fields()) known += (known.empty() ? "" : ", ") + f.name;
    return Error::BadInput("workflow " + wf.info().name + " has no field '" + name + "'" +
                           (known.empty() ? "" : "; its fields are " + known));
  }
  const definition::Field& f = wf.fields().at(static_cast<std::size_t>(*index));
  auto bad = [&](const std::string& why) {
    return Error::BadInput("field '" + name + "': " + why);
  };
  switch (f.type) {
    case FieldType::kDuration:
      if (auto s = ParseDeadlineSpec(value); !s) return bad(s.error().message());
      break;
    case FieldType::kDate:
      if (auto d = ParseDate(value); !d) return bad(d.error().message());
      break;
    case FieldType::kDateTime:
      if (auto t = ParseIso(value); !t) return bad(t.error().message());
      break;
    case FieldType::kPerson:
    case FieldType::kPeople: {
      std::string rest = value;
      std::size_t start = 0;
      while (start <= rest.size()) {
        std::size_t comma = rest.find(',', start);
        std::string id =
            rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!id.empty() && !org.FindPerson(id)) {
          return bad("'" + id + "' is not a person of org " + org.info().name);
        }
        if (comma == std::string::npos) break;
        if (f.type == FieldType::kPerson) return bad("takes one person id");
        start = comma + 1;
      }
      break;
    }
    case FieldType::kUnit:
      if (!org.FindUnit(value))
        return bad("'" + value + "' is not a unit of org " + org.info().name);
      break;
    case FieldType::kContact:
      if (!value.empty() && notify::ContactKindOf(value).empty()) {
        return bad(notify::ContactProblem(value) +
                   "; correct it, or leave it empty when there is no way to reach them");
      }
      break;
    case FieldType::kChoice:
      if (std::find(f.choices.begin(), f.choices.end(), value) == f.choices.end()) {
        std::string known;
        for (const auto& c : f.choices) known += (known.empty() ? "" : ", ") + c;
        return bad("'" + value + "' is not one of " + known);
      }
      break;
    default:
      break;
  }
  return OkStatus();
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

Status CheckRequirements(const definition::Org& org, const definition::Workflow& wf,
                         const Instance& inst, const Transition& t, const Command& cmd) {
  const std::string what = Quote(t.event) + " on item " + inst.record.id;
  for (const Requirement& r : t.requires_) {
    switch (r.kind) {
      case Requirement::Kind::kEvidence:
        if (static_cast<int>(cmd.evidence.size() + cmd.files.size()) < r.count) {
          return Error::FailedPrecondition(what + " needs evidence: attach at least " +
                                           std::to_string(r.count) +
                                           " file or text showing the rectification (--evidence)");
        }
        break;
      case Requirement::Kind::kReason:
        if (cmd.reason.empty()) {
          return Error::FailedPrecondition(what + " needs a reason: say why (--reason)");
        }
        break;
      case Requirement::Kind::kField: {
        const auto& f = wf.fields().at(static_cast<std::size_t>(r.field));
        if (inst.Field(f.name).empty()) {
          return Error::FailedPrecondition(what + " needs the field '" + f.name + "'" +
                                           (f.title.empty() ? "" : " (" + f.title + ")") +
                                           " to be set (--set " + f.name + "=...)");
        }
        break;
      }
      case Requirement::Kind::kSignatures: {
        const auto& f = wf.fields().at(static_cast<std::size_t>(r.field));
        std::vector<std::string> signed_by;
        if (auto it = inst.signatures.find(inst.record.state); it != inst.signatures.end()) {
          signed_by = it->second;
        }
        signed_by.push_back(cmd.actor);  // taking the transition is the actor's signature
        std::string missing;
        definition::RolePath path;
        path.base = definition::RolePath::Base::kNamed;
        path.name = f.name;
        path.is_field = true;
        for (const std::string& id : ResolvePeople(org, wf, inst, path)) {
          if (std::find(signed_by.begin(), signed_by.end(), id) == signed_by.end()) {
            missing += (missing.empty() ? "" : ", ") + PersonLabel(org, id);
          }
        }
        if (!missing.empty()) {
          return Error::FailedPrecondition(what + " needs the signature of every member of " +
                                           f.name + "; still missing: " + missing +
                                           " (each signs with the event 'sign')");
        }
        break;
      }
    }
  }
  return OkStatus();
}

std::string PossibleEvents(const definition::Workflow& wf, const definition::State& s) {
  std::string out;
  for (auto ti : s.transitions) out += (out.empty() ? "" : ", ") + wf.transition(ti).event;
  return out.empty() ? "none (it is final)" : out;
}

// The evidence of a command for its audit row: the texts as `evidence`, as always, and uploaded
// files as `files` only when there are some (so rows without files keep their old shape).
json::object EvidenceJson(const Command& cmd) {
  json::array a;
  for (const auto& e : cmd.evidence) a.emplace_back(e);
  json::object o{{"evidence", std::move(a)}};
  if (!cmd.files.empty()) {
    json::array files;
    for (const auto& f : cmd.files) {
      files.push_back(
          json::object{{"name", f.name}, {"sha256", f.sha256}, {"type", f.type}, {"size", f.size}});
    }
    o["files"] = std::move(files);
  }
  return o;
}

// Whether `t` stays in its state and gives it another due date (`deadline:` without a clock
// effect: a changed time limit).
bool ChangesDue(const Transition& t) {
  return t.to == t.from && t.deadline && t.clock == definition::ClockEffect::kDefault;
}

// The payload of a transition's notification: the item, the transition, the item's fields (but
// contacts: an address goes only where it is sent), and the message line of the `notice` template.
json::object NoticePayload(Step& step, const Transition& t, const std::string& from,
                           const Command& cmd) {
  json::object p = step.ItemPayload();
  const definition::Workflow& wf = step.wf();
  for (const definition::Field& f : wf.fields()) {
    std::string value = step.inst().Field(f.name);
    if (f.type == FieldType::kContact || value.empty() || p.contains(f.name)) continue;
    p[f.name] = value;
  }
  const definition::State& to = wf.state(t.to);
  std::string what = t.title.empty() ? t.event : t.title + " (" + t.event + ")";
  p["event"] = t.event;
  p["from"] = from;
  if (!cmd.reason.empty()) p["reason"] = cmd.reason;
  p["message"] = "item " + step.inst().record.id + " '" + step.inst().title + "': " + what +
                 ", now " + (to.title.empty() ? to.id : to.title + " (" + to.id + ")");
  return p;
}

// Queues the notifications `t` names (`notify:`), keyed by the audit row `seq` the transition
// writes, so taking it again later (a reopened item told twice) sends again and a retried commit
// does not. Adds their keys to the audit row's `data`. Refuses a contact that is not one.
// `no_recipient` gets the notices whose people are nobody at all.
Status QueueNotices(Step& step, const Transition& t, const std::string& from, std::int64_t seq,
                    const Command& cmd, json::object& data,
                    std::vector<const definition::TransitionNotice*>& no_recipient) {
  if (t.notify.empty()) return OkStatus();
  const definition::Workflow& wf = step.wf();
  const std::string timer_name = "on:" + from + ":" + t.event;
  const std::size_t queued_before = step.fx().outbox.size();
  json::array unreachable;
  std::vector<std::string> told;  // a person named by two items is told once, by the first
  for (const definition::TransitionNotice& n : t.notify) {
    json::object payload = NoticePayload(step, t, from, cmd);
    if (n.contact < 0) {
      std::vector<std::string> people;
      bool anyone = false;
      for (const auto& path : n.people) {
        for (const auto& id : ResolvePeople(step.org(), wf, step.inst(), path)) {
          anyone = true;
          if (std::find(told.begin(), told.end(), id) != told.end()) continue;
          told.push_back(id);
          people.push_back(id);
        }
      }
      step.Notify(people, n.template_name, payload, timer_name, seq, false);
      if (!anyone) no_recipient.push_back(&n);
      continue;
    }
    const definition::Field& field = wf.fields().at(static_cast<std::size_t>(n.contact));
    const std::string address = step.inst().Field(field.name);
    if (address.empty()) {  // the reporter left no way to reach them
      unreachable.emplace_back(field.name);
      continue;
    }
    std::string_view kind = notify::ContactKindOf(address);
    if (kind.empty()) {
      return Error::FailedPrecondition(
          "'" + t.event + "' on item " + step.inst().record.id + " sends " + n.template_name +
          " to the address in '" + field.name + "'" +
          (field.title.empty() ? "" : " (" + field.title + ")") + ", and " +
          notify::ContactProblem(address) + "; correct it with --set " + field.name +
          "=..., or empty it (--set " + field.name + "=) when there is no way to reach them");
    }
    std::string language = n.language;
    if (n.language_field >= 0) {
      language = step.inst().Field(wf.fields().at(static_cast<std::size_t>(n.language_field)).name);
    }
    const auto& known = definition::kLanguages;
    if (std::find(std::begin(known), std::end(known), language) == std::end(known)) {
      language = "zh";
    }
    payload["language"] = language;
    step.NotifyContact(address, kind, "$" + field.name, n.template_name, std::move(payload),
                       timer_name, seq);
  }
  json::array keys;
  for (std::size_t i = queued_before; i < step.fx().outbox.size(); ++i) {
    keys.emplace_back(step.fx().outbox[i].dedup_key);
  }
  data["notifications"] = std::move(keys);
  if (!unreachable.empty()) data["no_contact"] = std::move(unreachable);
  return OkStatus();
}

// Applies a transition that passed every check.
Status TakeTransition(Step& step, const Transition& t, const Command& cmd) {
  Instance& inst = step.inst();
  const definition::Workflow& wf = step.wf();
  std::string from = inst.record.state;
  std::optional<Timestamp> due_before = step.CurrentDeadline();
  for (const auto& [k, v] : cmd.fields) inst.fields[k] = v;
  if (t.adds) {
    if (Status s = step.Extend(*t.adds); !s) return s;
  }
  const bool reopens = wf.state(t.from).final && !wf.state(t.to).final;
  if (reopens) {
    if (Status s = step.ReopenClocks(); !s) return s;
  }
  if (t.to != t.from) {
    if (Status s = step.EnterState(t.to, &t); !s) return s;
  } else if (ChangesDue(t)) {
    if (Status s = step.ChangeDue(t); !s) return s;
  } else {
    if (Status s = step.StayClock(t); !s) return s;
  }
  if (t.to != t.from && wf.state(t.to).final) {
    if (Status s = step.StopClocks(); !s) return s;
  }
  // Found again (seed 001): the ladder of the reopened state goes on from the highest step the
  // item had reached there, and by default the next step is taken at once, below.
  std::optional<int> step_up;
  json::object ladder_data;
  if (reopens && t.ladder != definition::Ladder::kRestart) {
    const definition::Escalation* chain = step.bound().OverdueChain(wf.state(t.to));
    StateClock* sc = step.Clock();
    if (chain && sc) {
      const auto steps = static_cast<int>(chain->steps().size());
      int reached = 0;
      for (const EscalationTaken& e : inst.escalations) {
        if (e.state == wf.state(t.to).id) reached = std::max(reached, e.step + 1);
      }
      reached = std::min(reached, steps);
      const bool up = t.ladder != definition::Ladder::kContinue && reached < steps;
      if (up) step_up = reached;
      // Projected below from here on: the step taken at once is not armed again.
      sc->escalation_level = up ? reached + 1 : reached;
      ladder_data = {{"ladder", std::string(definition::LadderName(t.ladder))},
                     {"level_reached", reached},
                     {"level", sc->escalation_level}};
      if (up) ladder_data["step"] = chain->steps()[static_cast<std::size_t>(reached)].id;
    }
  } else if (reopens) {
    if (StateClock* sc = step.Clock()) sc->escalation_level = 0;  // as for a new item
    ladder_data = {{"ladder", "restart"}};
  }
  for (const auto& e : cmd.evidence) inst.evidence.push_back({cmd.at, cmd.actor, t.event, e, {}});
  for (const auto& f : cmd.files) {
    inst.evidence.push_back({cmd.at, cmd.actor, t.event, f.name, f.sha256});
  }
  ++inst.taken[t.event];
  if (inst.record.state != from) step.CancelHeld();
  if (Status s = step.ProjectTimers(); !s) return s;

  json::object data = EvidenceJson(cmd);
  if (!cmd.fields.empty()) {
    json::object f;
    for (const auto& [k, v] : cmd.fields) f[k] = v;
    data["fields"] = std::move(f);
  }
  if (auto d = step.RunningDeadline()) data["deadline"] = FormatIso(*d);
  if (t.to == t.from && (t.adds || ChangesDue(t)) && due_before) {
    data["previous_deadline"] = FormatIso(*due_before);
  }
  if (const StateClock* c = step.Clock()) {
    data["clock"] = std::string(ClockPhaseName(c->clock.phase));
  }
  if (!cmd.channel.empty()) data["channel"] = cmd.channel;
  if (!cmd.request_id.empty()) data["request_id"] = cmd.request_id;
  std::vector<const definition::TransitionNotice*> no_recipient;
  if (Status s = QueueNotices(step, t, from, inst.audit_seq + 1, cmd, data, no_recipient); !s) {
    return s;
  }
  for (const auto& [k, v] : ladder_data) data[k] = v;
  step.Audit(cmd.actor, t.event, from, inst.record.state, cmd.reason, std::move(data));
  // A measure that lasts until this event (payment resumed on `accept`) ends with it.
  if (Status s = internal::EndMeasuresOn(step, t.event, cmd.actor); !s) return s;
  if (step_up) {
    const StateClock* sc = step.Clock();
    PendingTimer at_once{TimerName::Escalate(inst.record.state, *step_up).Format(),
                         sc->clock.generation, step.now()};
    if (Status s = internal::FireEscalation(step.interp(), step, at_once, *step_up, false); !s)
      return s;
  }
  for (const definition::TransitionNotice* n : no_recipient) {
    step.NoRecipient("the '" + t.event + "' notice" +
                         (n->template_name == "notice" ? "" : " (" + n->template_name + ")"),
                     n->people, "on:" + from + ":" + t.event);
  }
  return OkStatus();
}

// A transition that stays in its state may set the field the state's deadline is read from only
// when it changes the due date too (or restarts the clock, which reads it again); otherwise the
// field and the deadline would disagree.
Status CheckDeadlineField(const definition::Workflow& wf, const definition::State& state,
                          const Instance& inst, const Transition& t, const Command& cmd) {
  if (t.to != t.from || t.RestartsClock()) return OkStatus();
  if (ChangesDue(t)) {
    if (t.deadline->kind != definition::Deadline::Kind::kField) return OkStatus();
    const std::string& name = wf.fields().at(static_cast<std::size_t>(t.deadline->field)).name;
    if (cmd.fields.count(name)) return OkStatus();
    return Error::FailedPrecondition(
        "'" + t.event + "' on item " + inst.record.id + " changes the due date to the field '" +
        name + "'; give the new time limit (--set " + name + "=2017-05-31, or a duration such as " +
        "20wd counted from when the item entered '" + state.id + "')");
  }
  const definition::Deadline& own = state.deadline;
  if (own.kind != definition::Deadline::Kind::kField) return OkStatus();
  const std::string& name = wf.fields().at(static_cast<std::size_t>(own.field)).name;
  if (!cmd.fields.count(name) || !inst.clocks.count(state.id)) return OkStatus();
  std::string changers;
  for (auto ti : state.transitions) {
    if (ChangesDue(wf.transition(ti))) {
      changers += (changers.empty() ? "" : ", ") + Quote(wf.transition(ti).event);
    }
  }
  return Error::FailedPrecondition(
      Quote(t.event) + " on item " + inst.record.id + " does not change the due date, so it " +
      "cannot set '" + name + "', which the deadline of state '" + state.id + "' is read from" +
      (changers.empty() ? std::string("; no transition of the state changes it")
                        : "; use " + changers + " to change the time limit"));
}

}  // namespace

Result<Effects> Interpreter::Create(const NewInstance& req) const {
  if (req.id.empty() || req.id.find_first_of(" \t\n|") != std::string::npos) {
    return Error::BadInput("an item id must be non-empty, without spaces or '|'; got '" + req.id +
                           "'");
  }
  auto wf = definitions_->FindWorkflow(req.workflow, req.workflow_version);
  if (!wf) {
    std::string known;
    for (const auto& info : definitions_->All()) {
      if (info.kind == definition::Kind::kWorkflow)
        known += (known.empty() ? "" : ", ") + info.name;
    }
    return Error::NotFound("no workflow '" + req.workflow + "' is loaded; known: " + known);
  }
  std::shared_ptr<const definition::Org> org;
  if (!req.org.empty()) {
    org = definitions_->FindOrg(req.org);
    if (!org) return Error::NotFound("no org '" + req.org + "' is loaded");
  } else {
    for (const auto& info : definitions_->All()) {
      if (info.kind != definition::Kind::kOrg) continue;
      auto candidate = definitions_->FindOrg(info.name, info.version);
      if (candidate && candidate->FindUnit(req.unit) &&
          (!org || candidate->info().name != org->info().name)) {
        if (org) {
          return Error::BadInput("unit '" + req.unit + "' is in org " + org->info().name +
                                 " and in org " + candidate->info().name + "; name one (--org)");
        }
        org = definitions_->FindOrg(info.name);
      }
    }
    if (!org) {
      return Error::NotFound("unit '" + req.unit +
                             "' is in no loaded org; check the id against workflows/orgs/");
    }
  }
  if (!org->FindUnit(req.unit)) {
    return Error::NotFound("unit '" + req.unit + "' is not in org " + org->info().name);
  }
  for (const std::string* p : {&req.responsible, &req.owner}) {
    if (!p->empty() && !org->FindPerson(*p)) {
      return Error::NotFound("person '" + *p + "' is not in org " + org->info().name);
    }
  }
  if (req.actor != kSystemActor && !org->FindPerson(req.actor)) {
    return Error::NotFound("person '" + req.actor + "' is not in org " + org->info().name);
  }
  for (const auto& [k, v] : req.fields) {
    if (Status s = CheckField(*org, *wf, k, v); !s) return s.error();
  }
  for (const auto& f : wf->fields()) {
    if (f.required && req.fields.find(f.name) == req.fields.end()) {
      return Error::BadInput("workflow " + wf->info().name + " needs the field '" + f.name + "'" +
                             (f.title.empty() ? "" : " (" + f.title + ")"));
    }
  }

  Instance inst;
  inst.record.id = req.id;
  inst.record.workflow = wf->info().name;
  inst.record.workflow_version = wf->info().version;
  inst.record.campaign = req.campaign;
  inst.record.unit_id = req.unit;
  inst.record.created_at = req.at;
  inst.record.updated_at = req.at;
  inst.org = org->info().name;
  inst.org_version = org->info().version;
  inst.title = req.title;
  inst.responsible = req.responsible;
  inst.registrar = req.actor == kSystemActor ? "" : req.actor;
  inst.owner = req.owner;
  inst.parent = req.parent;
  inst.origin = req.origin;
  inst.fields = req.fields;
  if (wf->calendar()) inst.calendar = wf->calendar_ref().Label();
  std::shared_ptr<const definition::Escalation> chain;
  if (!req.escalation.empty()) {
    auto nv = definition::ParseNameVersion(req.escalation);
    if (nv) chain = definitions_->FindEscalation(nv->name, nv->version);
    if (!chain) {
      std::string known;
      for (const auto& info : definitions_->All()) {
        if (info.kind == definition::Kind::kEscalation)
          known += (known.empty() ? "" : ", ") + info.name;
      }
      return Error::NotFound("no escalation chain '" + req.escalation + "' is loaded" +
                             (known.empty() ? "" : "; known: " + known));
    }
    inst.escalation = chain->info().name + "@" + std::to_string(chain->info().version);
  }

  Bound bound{wf, org, ItemCalendar(*definitions_, *wf, req.campaign), chain};
  Step step(*this, bound, std::move(inst), req.at);
  if (Status s = step.EnterState(wf->initial(), nullptr, req.first_deadline); !s) return s.error();
  json::object data{{"workflow", wf->info().Label()},
                    {"org", org->info().Label()},
                    {"title", req.title},
                    {"unit", req.unit},
                    {"responsible", req.responsible}};
  if (!req.parent.empty()) data["parent"] = req.parent;
  if (!req.owner.empty()) data["owner"] = req.owner;
  if (auto d = step.RunningDeadline()) data["deadline"] = FormatIso(*d);
  if (!step.inst().escalation.empty()) data["escalation"] = step.inst().escalation;
  for (const auto& [k, v] : req.audit_notes) data[k] = v;
  step.Audit(req.actor, "register", "", step.inst().record.state, "", std::move(data));

  // A first transition the system takes by itself (`by: [system]`).
  for (auto ti : wf->state(wf->initial()).transitions) {
    const Transition& t = wf->transition(ti);
    Command cmd{req.id, t.event, kSystemActor, "", {}, {}, req.at};
    if (CheckActor(*org, *wf, step.inst(), t, kSystemActor) &&
        CheckRequirements(*org, *wf, step.inst(), t, cmd)) {
      if (Status s = TakeTransition(step, t, cmd); !s) return s.error();
      break;
    }
  }
  if (Status s = step.ProjectTimers(); !s) return s.error();
  Effects fx = step.Finish();
  fx.created = true;
  fx.expected_version = 0;
  return fx;
}

Result<Effects> Interpreter::Apply(const Instance& instance, const Command& cmd) const {
  auto bound = Bind(instance);
  if (!bound) return bound.error();
  const auto& wf = *bound->workflow;
  const auto& org = *bound->org;
  auto state_index = wf.FindState(instance.record.state);
  if (!state_index) {
    return Error::Internal("instance " + instance.record.id + " is in state '" +
                           instance.record.state + "', which workflow " + wf.info().Label() +
                           " does not have");
  }
  const definition::State& state = wf.state(*state_index);

  if (cmd.event == kTakeMeasure || cmd.event == kEndMeasure) {
    return internal::ApplyMeasure(*this, *bound, instance, cmd);
  }
  if (cmd.event == "sign") {
    if (cmd.actor == kSystemActor || !org.FindPerson(cmd.actor)) {
      return Error::PermissionDenied("'" + cmd.actor + "' is not a person of org " +
                                     org.info().name + " and cannot sign");
    }
    bool member = false;
    for (const auto& f : wf.fields()) {
      if (f.type != FieldType::kPerson && f.type != FieldType::kPeople) continue;
      definition::RolePath path;
      path.base = definition::RolePath::Base::kNamed;
      path.name = f.name;
      path.is_field = true;
      auto people = ResolvePeople(org, wf, instance, path);
      member = member || std::find(people.begin(), people.end(), cmd.actor) != people.end();
    }
    if (!member) {
      return Error::PermissionDenied(PersonLabel(org, cmd.actor) + " is on no team of item " +
                                     instance.record.id + " and has nothing to sign");
    }
    Step step(*this, *bound, instance, cmd.at);
    if (auto moved = step.FollowCalendar(kSystemActor, "", nullptr); !moved) {
      return moved.error();
    }
    auto& who = step.inst().signatures[instance.record.state];
    if (std::find(who.begin(), who.end(), cmd.actor) == who.end()) who.push_back(cmd.actor);
    json::object signed_data = EvidenceJson(cmd);
    if (!cmd.channel.empty()) signed_data["channel"] = cmd.channel;
    if (!cmd.request_id.empty()) signed_data["request_id"] = cmd.request_id;
    step.Audit(cmd.actor, "sign", state.id, state.id, cmd.reason, std::move(signed_data));
    if (Status s = step.ProjectTimers(); !s) return s.error();
    return step.Finish();
  }

  const Transition* t = wf.FindTransition(*state_index, cmd.event);
  if (!t) {
    return Error::FailedPrecondition("item " + instance.record.id + " is in state '" + state.id +
                                     "'" + (state.title.empty() ? "" : " (" + state.title + ")") +
                                     ", where '" + cmd.event +
                                     "' is not possible; possible: " + PossibleEvents(wf, state));
  }
  if (Status s = CheckActor(org, wf, instance, *t, cmd.actor); !s) return s.error();
  for (const auto& [k, v] : cmd.fields) {
    if (Status s = CheckField(org, wf, k, v); !s) return s.error();
  }
  Instance with_fields = instance;
  for (const auto& [k, v] : cmd.fields) with_fields.fields[k] = v;
  if (Status s = CheckRequirements(org, wf, with_fields, *t, cmd); !s) return s.error();
  if (Status s = CheckDeadlineField(wf, state, instance, *t, cmd); !s) return s.error();
  if (t->at_most > 0) {
    auto it = instance.taken.find(t->event);
    int taken = it == instance.taken.end() ? 0 : it->second;
    if (taken >= t->at_most) {
      return Error::FailedPrecondition(
          "'" + t->event + "' may be taken at most " +
          (t->at_most == 1 ? std::string("once") : std::to_string(t->at_most) + " times") +
          " on item " + instance.record.id + ", and it was already taken");
    }
  }
  Step step(*this, *bound, instance, cmd.at);
  if (auto moved = step.FollowCalendar(kSystemActor, "", nullptr); !moved) return moved.error();
  if (Status s = TakeTransition(step, *t, cmd); !s) return s.error();
  return step.Finish();
}

}  // namespace rectify::engine
