#include "step.h"

#include <algorithm>

#include "rectify/engine/access.h"
#include "rectify/engine/audit_chain.h"
#include "rectify/engine/item_view.h"
#include "rectify/json_writer.h"
#include "rectify/notify/channels_config.h"

namespace rectify::engine::internal {

namespace json = boost::json;
using definition::Deadline;

Step::Step(const Interpreter& interp, Bound bound, Instance instance, Timestamp now)
    : interp_(interp), bound_(std::move(bound)), now_(now) {
  fx_.expected_version = instance.record.version;
  fx_.instance = std::move(instance);
  // A campaign's run is bound to no workflow: it names nobody.
  if (fx_.instance.record.escalation_level >= 0 && bound_.workflow) {
    people_before_ = NamedPeople(wf(), fx_.instance);
  }
}

const definition::State& Step::CurrentState() const {
  return wf().state(*wf().FindState(fx_.instance.record.state));
}

StateClock* Step::Clock() {
  auto it = fx_.instance.clocks.find(fx_.instance.record.state);
  return it == fx_.instance.clocks.end() ? nullptr : &it->second;
}

// Messages keep the official working hours of the workflow's calendar, which the channels hold
// deliveries to as well (adapters/notify): a campaign's worked weekends (calendar_changes) move
// deadlines, reminders and steps, not office hours, so a reminder that falls due on such a
// Saturday is delivered at 08:30 on the next official working day.
const Calendar* Step::DeliveryCalendar() const {
  if (bound_.workflow && bound_.workflow->calendar()) return bound_.workflow->calendar().get();
  return bound_.calendar;
}

std::optional<Timestamp> Step::RunningDeadline() const {
  auto it = fx_.instance.clocks.find(fx_.instance.record.state);
  if (it == fx_.instance.clocks.end() || !bound_.calendar) return std::nullopt;
  DeadlineClock dc(*bound_.calendar, it->second.clock);
  auto d = dc.RunningDeadline();
  if (!d) return std::nullopt;
  return *d;
}

void Step::Audit(const std::string& actor, const std::string& event, const std::string& from,
                 const std::string& to, const std::string& reason, json::object data) {
  AuditRecord row;
  row.instance_id = fx_.instance.record.id;
  row.at = now_;
  row.actor = actor;
  row.event = event;
  row.from_state = from;
  row.to_state = to;
  row.reason = reason;
  row.data_json = json::serialize(data);
  Chain(row, fx_.instance.audit_seq, fx_.instance.audit_head);
  fx_.instance.audit_seq = row.seq;
  fx_.instance.audit_head = row.hash;
  fx_.audit.push_back(std::move(row));
}

Result<std::optional<DeadlineSpec>> Step::BudgetFor(const definition::State& state,
                                                    const definition::Transition* via) const {
  const Deadline& d = via && via->deadline ? *via->deadline : state.deadline;
  switch (d.kind) {
    case Deadline::Kind::kNone:
      return std::optional<DeadlineSpec>();
    case Deadline::Kind::kWithin:
      return std::optional<DeadlineSpec>(DeadlineSpec{DeadlineSpec::Kind::kSpan, d.within, {}, {}});
    case Deadline::Kind::kAt:
      return std::optional<DeadlineSpec>(d.at);
    case Deadline::Kind::kField: {
      const auto& field = wf().fields().at(static_cast<std::size_t>(d.field));
      std::string value = fx_.instance.Field(field.name);
      if (value.empty()) {
        if (d.otherwise) {
          return std::optional<DeadlineSpec>(
              DeadlineSpec{DeadlineSpec::Kind::kSpan, *d.otherwise, {}, {}});
        }
        return Error::FailedPrecondition(
            "the deadline of state '" + state.id + "' comes from the field '" + field.name +
            "', which is empty on item " + fx_.instance.record.id + "; set it first");
      }
      auto spec = ParseDeadlineSpec(value);
      if (!spec) {
        return Error::BadInput("field '" + field.name + "' of item " + fx_.instance.record.id +
                               ": " + spec.error().message());
      }
      return std::optional<DeadlineSpec>(*spec);
    }
  }
  return std::optional<DeadlineSpec>();
}

Status Step::EnterState(definition::StateIndex to, const definition::Transition* via,
                        const std::optional<Span>& budget_override) {
  Instance& inst = fx_.instance;
  const definition::State& target = wf().state(to);
  bool moves = !via || via->to != via->from;
  if (via && moves) {
    if (StateClock* left = Clock(); left && left->clock.phase == ClockPhase::kRunning) {
      DeadlineClock dc(*bound_.calendar, left->clock);
      if (Status s = dc.Pause(now_); !s) return s;
      left->clock = dc.record();
    }
  }
  inst.record.state = target.id;
  if (moves) inst.signatures.erase(target.id);

  auto budget = BudgetFor(target, via);
  if (!budget) return budget.error();
  if (budget_override) {
    budget->emplace(DeadlineSpec{DeadlineSpec::Kind::kSpan, *budget_override, {}, {}});
  }
  if (!budget->has_value()) return OkStatus();
  if (!bound_.calendar) {
    return Error::FailedPrecondition("workflow " + wf().info().Label() +
                                     " has deadlines but names no calendar; add 'calendar: cn'");
  }
  auto it = inst.clocks.find(target.id);
  bool restart = !via || via->RestartsClock() || it == inst.clocks.end() ||
                 it->second.clock.phase == ClockPhase::kStopped;
  StateClock& sc = inst.clocks[target.id];
  DeadlineClock dc(*bound_.calendar, sc.clock);
  if (restart) {
    if (Status s = dc.Start(now_, **budget); !s) return s;
    sc.reminders_sent.clear();
    sc.escalation_level = 0;
  } else if (dc.phase() == ClockPhase::kPaused) {
    if (Status s = dc.Resume(now_); !s) return s;
  }
  sc.clock = dc.record();
  // The deadline must be computable on the calendar now, not at the first firing.
  if (auto d = dc.RunningDeadline(); !d) return d.error();
  return OkStatus();
}

Status Step::StayClock(const definition::Transition& t) {
  StateClock* sc = Clock();
  auto no_clock = [&] {
    return Error::FailedPrecondition("item " + fx_.instance.record.id +
                                     " has no deadline in state '" + fx_.instance.record.state +
                                     "', so '" + t.event + "' has nothing to act on");
  };
  if (t.clock == definition::ClockEffect::kPause || t.clock == definition::ClockEffect::kResume) {
    if (!sc) return no_clock();
    DeadlineClock dc(*bound_.calendar, sc->clock);
    Status s = t.clock == definition::ClockEffect::kPause ? dc.Pause(now_) : dc.Resume(now_);
    if (!s) {
      return Error::FailedPrecondition(
          "item " + fx_.instance.record.id + ": the deadline clock is " +
          std::string(ClockPhaseName(sc->clock.phase)) + ", so it cannot be " +
          (t.clock == definition::ClockEffect::kPause ? "paused" : "resumed"));
    }
    sc->clock = dc.record();
  } else if (t.clock == definition::ClockEffect::kRestart) {
    return EnterState(t.to, &t);
  }
  return OkStatus();
}

Status Step::Extend(const Span& by) {
  StateClock* sc = Clock();
  if (!sc || sc->clock.phase == ClockPhase::kStopped) {
    return Error::FailedPrecondition("item " + fx_.instance.record.id +
                                     " has no running deadline to extend");
  }
  DeadlineClock dc(*bound_.calendar, sc->clock);
  if (Status s = dc.Extend(by); !s) return s;
  sc->clock = dc.record();
  if (auto d = dc.Deadline(now_); !d) return d.error();
  return OkStatus();
}

namespace {

// Whether a notification belongs to the current state: a reminder or an escalation step of it
// (`remind:<state>:<i>`, `escalate:<state>:<i>`), which the item leaving the state makes moot.
// Campaign notices and look backs are about the item, not its state, and are left alone.
bool OfState(const std::string& timer_name, const std::string& state) {
  auto name = TimerName::Parse(timer_name);
  return name && name->id == state &&
         (name->kind == TimerName::Kind::kRemind || name->kind == TimerName::Kind::kEscalate);
}

}  // namespace

void Step::Queue(OutboxRecord o, const std::string& timer_name) {
  o.instance_id = fx_.instance.record.id;
  o.created_at = now_;
  o.next_attempt_at = o.not_before;
  // Kept until the item leaves the state, whatever became of the row meanwhile: the store cancels
  // only a row not yet delivered (CancelHeld).
  if (OfState(timer_name, fx_.instance.record.state)) {
    fx_.instance.held.push_back({o.dedup_key, o.not_before});
  }
  fx_.outbox.push_back(std::move(o));
}

void Step::Notify(const std::vector<std::string>& people, const std::string& template_name,
                  json::object payload, const std::string& timer_name, std::int64_t generation,
                  bool urgent) {
  Timestamp not_before = now_;
  if (const Calendar* hours = DeliveryCalendar(); !urgent && hours) {
    if (auto t = hours->NextWorkingTime(now_); t) not_before = *t;
  }
  // The payload is written once; each recipient's copy only appends its own keys, which is what
  // serializing the payload with those keys added gives (Boost.JSON appends a new key last).
  const bool appendable = !payload.contains("recipient_name") && !payload.contains("urgent");
  std::string common = json::serialize(payload);
  common.pop_back();  // the closing brace
  for (const std::string& id : people) {
    OutboxRecord o;
    o.dedup_key =
        fx_.instance.record.id + "|" + timer_name + "|" + std::to_string(generation) + "|" + id;
    auto p = org().FindPerson(id);
    o.channel = p ? std::string(notify::PreferredContactKind(org().person(*p).contacts)) : "inbox";
    o.recipient = id;
    o.template_name = template_name;
    // The dispatcher reads "urgent", not the hour, to let an urgent step skip working hours,
    // digests and rate limits.
    if (appendable) {
      o.payload_json = common;
      JsonWriter w(o.payload_json);
      if (!payload.empty()) w.Continue();
      if (p) w.Field("recipient_name", org().person(*p).name);
      if (urgent) w.Field("urgent", true);
      o.payload_json += '}';
    } else {
      json::object body = payload;
      if (p) body["recipient_name"] = org().person(*p).name;
      if (urgent) body["urgent"] = true;
      o.payload_json = json::serialize(body);
    }
    o.not_before = not_before;
    Queue(std::move(o), timer_name);
  }
}

void Step::NotifyContact(const std::string& address, std::string_view kind,
                         const std::string& key_part, const std::string& template_name,
                         json::object payload, const std::string& timer_name,
                         std::int64_t generation) {
  OutboxRecord o;
  o.dedup_key =
      fx_.instance.record.id + "|" + timer_name + "|" + std::to_string(generation) + "|" + key_part;
  o.channel = std::string(kind);
  o.recipient = address;
  o.template_name = template_name;
  o.payload_json = json::serialize(payload);
  o.not_before = now_;
  if (const Calendar* hours = DeliveryCalendar()) {
    if (auto t = hours->NextWorkingTime(now_); t) o.not_before = *t;
  }
  Queue(std::move(o), timer_name);
}

void Step::NoRecipient(const std::string& what, const std::vector<definition::RolePath>& paths,
                       const std::string& timer_name) {
  std::string why, hint;
  for (const definition::RolePath& p : paths) {
    std::string reason = NobodyReason(org(), wf(), fx_.instance, p);
    if (why.find(reason) == std::string::npos) why += (why.empty() ? "" : "; ") + reason;
    std::string h = NobodyHint(org(), wf(), p);
    if (!h.empty() && hint.find(h) == std::string::npos) hint += (hint.empty() ? "" : "; ") + h;
  }
  json::array named;
  for (const definition::RolePath& p : paths) named.emplace_back(p.text);
  const std::string& state = fx_.instance.record.state;
  Audit(kSystemActor, "no_recipient", state, state,
        what + " (" + timer_name + ") has no recipient: " + why + (hint.empty() ? "" : "; " + hint),
        json::object{{"timer", timer_name}, {"notify", std::move(named)}});
}

void Step::NotifyUnit(const std::string& unit_id, const std::string& channel,
                      const std::string& template_name, json::object payload,
                      const std::string& timer_name, std::int64_t generation) {
  OutboxRecord o;
  o.dedup_key = fx_.instance.record.id + "|" + timer_name + "|" + std::to_string(generation) + "|" +
                channel + ":" + unit_id;
  o.channel = channel;
  o.recipient = unit_id;
  o.template_name = template_name;
  o.payload_json = json::serialize(payload);
  o.not_before = now_;
  if (const Calendar* hours = DeliveryCalendar()) {
    if (auto t = hours->NextWorkingTime(now_); t) o.not_before = *t;
  }
  Queue(std::move(o), timer_name);
}

void Step::CancelHeld() {
  // Every notification of the state left: the store cancels those still pending (queued, waiting
  // to retry, or being sent) and leaves a delivered or dead one as it is, attempts and all
  // (adapters/store/soci/soci_store_commit.cc).
  for (const HeldNotice& h : fx_.instance.held) {
    OutboxUpdate u;
    u.dedup_key = h.dedup_key;
    u.state = OutboxState::kCancelled;
    u.next_attempt_at = h.not_before;
    u.last_error = "cancelled: the item moved on to '" + fx_.instance.record.state + "'";
    fx_.outbox_updates.push_back(std::move(u));
  }
  fx_.instance.held.clear();
}

json::object Step::ItemPayload() const {
  const Instance& inst = fx_.instance;
  json::object p;
  p["item"] = inst.record.id;
  p["title"] = inst.title;
  p["unit"] = inst.record.unit_id;
  if (auto u = org().FindUnit(inst.record.unit_id)) p["unit_name"] = org().unit(*u).name;
  p["state"] = inst.record.state;
  return p;
}

Effects Step::Finish() {
  InstanceRecord& record = fx_.instance.record;
  record.updated_at = now_;
  record.data_json = fx_.instance.DataJson();
  ProjectForLists(bound_.calendar, bound_.workflow.get(), fx_.instance, now_);
  if (people_before_ && *people_before_ == *record.people) record.people.reset();
  return std::move(fx_);
}

std::string DeadlineText(const Calendar& cal, Timestamp deadline, Timestamp now) {
  Date day = DeadlineDay(cal, deadline);
  if (deadline <= now) return "the time limit ended on " + FormatDate(day);
  int left = CountWorkdays(cal, cal.DateOf(now), day);
  return "the time limit ends on " + FormatDate(day) + " (" + std::to_string(left) +
         " working day" + (left == 1 ? "" : "s") + " left)";
}

}  // namespace rectify::engine::internal
