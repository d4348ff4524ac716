// Instance <-> data_json. Keys are written in a fixed order and maps are sorted, so the same
// state always serializes to the same bytes.
#include "rectify/engine/instance.h"

#include <algorithm>
#include <boost/json.hpp>

#include "rectify/json_writer.h"

namespace rectify::engine {

namespace json = boost::json;

namespace {

// Reading: every accessor throws on a wrong shape; FromRecord turns that into kInternal.
const json::value& At(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) throw std::runtime_error(std::string("missing '") + key + "'");
  return it->value();
}
std::string Str(const json::object& o, const char* key, std::string fallback = {}) {
  auto it = o.find(key);
  if (it == o.end()) return fallback;
  return std::string(it->value().as_string());
}
std::int64_t Int(const json::object& o, const char* key, std::int64_t fallback = 0) {
  auto it = o.find(key);
  if (it == o.end()) return fallback;
  return it->value().to_number<std::int64_t>();
}
bool Bool(const json::object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->value().as_bool();
}
Timestamp Time(const json::object& o, const char* key) { return FromMicros(Int(o, key)); }
const json::array& Arr(const json::object& o, const char* key) {
  static const json::array kEmpty;
  auto it = o.find(key);
  if (it == o.end()) return kEmpty;
  return it->value().as_array();
}

ClockRecord ClockFromJson(const json::object& o) {
  ClockRecord c;
  std::string phase = Str(o, "phase");
  if (phase == ClockPhaseName(ClockPhase::kRunning)) {
    c.phase = ClockPhase::kRunning;
  } else if (phase == ClockPhaseName(ClockPhase::kPaused)) {
    c.phase = ClockPhase::kPaused;
  } else {
    c.phase = ClockPhase::kStopped;
  }
  c.anchor = Time(o, "anchor");
  auto budget = ParseDeadlineSpec(Str(o, "budget"));
  if (!budget) throw std::runtime_error(budget.error().message());
  c.budget = *budget;
  for (const json::value& e : Arr(o, "extensions")) {
    auto span = ParseSpan(std::string(e.as_string()));
    if (!span) throw std::runtime_error(span.error().message());
    c.extensions.push_back(*span);
  }
  for (const json::value& p : Arr(o, "pauses")) {
    const json::array& period = p.as_array();
    PausePeriod pp{FromMicros(period.at(0).to_number<std::int64_t>()), std::nullopt};
    if (!period.at(1).is_null()) pp.to = FromMicros(period.at(1).to_number<std::int64_t>());
    c.pauses.push_back(pp);
  }
  c.generation = Int(o, "generation");
  return c;
}

std::vector<std::string> ToStrings(const json::array& a) {
  std::vector<std::string> v;
  for (const auto& s : a) v.emplace_back(s.as_string());
  return v;
}

}  // namespace

std::string FormatDeadlineSpec(const DeadlineSpec& spec) {
  switch (spec.kind) {
    case DeadlineSpec::Kind::kSpan:
      return FormatSpan(spec.span);
    case DeadlineSpec::Kind::kDate:
      return FormatDate(spec.date);
    case DeadlineSpec::Kind::kInstant:
      return FormatIso(spec.at);
  }
  return {};
}

std::string Instance::DataJson() const {
  // Written straight to text (the same bytes Boost.JSON would write for the same tree): this runs
  // for every instance every firing commits.
  std::string out;
  out.reserve(768);
  JsonWriter w(out);
  auto strings = [&](const std::vector<std::string>& v) {
    w.BeginArray();
    for (const auto& s : v) w.String(s);
    w.EndArray();
  };
  w.BeginObject()
      .Field("org", org)
      .Field("org_version", org_version)
      .Field("title", title)
      .Field("responsible", responsible)
      .Field("registrar", registrar)
      .Field("owner", owner)
      .Field("parent", parent);
  if (!calendar.empty()) w.Field("calendar", calendar);
  if (!escalation.empty()) w.Field("escalation", escalation);
  if (!origin.empty()) {
    w.Key("origin").BeginObject();
    w.Field("found_by", origin.found_by)
        .Field("campaign", origin.campaign)
        .Field("round", origin.round)
        .Field("source", origin.source)
        .Field("recorded_by", origin.recorded_by)
        .Field("found_at", ToMicros(origin.found_at))
        .Field("opened", origin.opened);
    w.EndObject();
  }
  w.Key("fields").BeginObject();
  for (const auto& [k, v] : fields) w.Field(k, v);
  w.EndObject();
  w.Key("clocks").BeginObject();
  for (const auto& [state, sc] : clocks) {
    const ClockRecord& c = sc.clock;
    w.Key(state).BeginObject().Key("clock").BeginObject();
    w.Field("phase", ClockPhaseName(c.phase))
        .Field("anchor", ToMicros(c.anchor))
        .Field("budget", FormatDeadlineSpec(c.budget));
    w.Key("extensions").BeginArray();
    for (const Span& e : c.extensions) w.String(FormatSpan(e));
    w.EndArray();
    w.Key("pauses").BeginArray();
    for (const PausePeriod& p : c.pauses) {
      w.BeginArray().Int(ToMicros(p.from));
      if (p.to) {
        w.Int(ToMicros(*p.to));
      } else {
        w.Null();
      }
      w.EndArray();
    }
    w.EndArray();
    w.Field("generation", c.generation).EndObject();
    w.Key("reminders_sent").BeginArray();
    for (int i : sc.reminders_sent) w.Int(i);
    w.EndArray();
    w.Field("escalation_level", sc.escalation_level).EndObject();
  }
  w.EndObject();
  w.Key("escalations").BeginArray();
  for (const auto& e : escalations) {
    w.BeginObject()
        .Field("state", e.state)
        .Field("step", e.step)
        .Field("step_id", e.step_id)
        .Field("measure", e.measure)
        .Field("due", ToMicros(e.due))
        .Field("at", ToMicros(e.at))
        .Field("late", e.late)
        .Field("task", e.task_id);
    // Only for a step by judgment, so the state of every other instance keeps its bytes.
    if (!e.by.empty()) w.Field("by", e.by).Field("reason", e.reason);
    w.EndObject();
  }
  w.EndArray();
  if (!measures.empty()) {
    w.Key("measures").BeginArray();
    for (const auto& m : measures) {
      w.BeginObject()
          .Field("measure", m.measure)
          .Field("step_id", m.step_id)
          .Field("state", m.state)
          .Field("chain", m.chain)
          .Field("by", m.by)
          .Field("reason", m.reason)
          .Field("unit", m.unit_id);
      w.Key("carried_out_by");
      strings(m.carried_out_by);
      w.Field("since", ToMicros(m.since));
      if (m.ended_at) {
        w.Field("ended_at", ToMicros(*m.ended_at))
            .Field("ended_by", m.ended_by)
            .Field("end_event", m.end_event)
            .Field("end_reason", m.end_reason);
      }
      w.EndObject();
    }
    w.EndArray();
  }
  w.Field("payment_suspended", payment_suspended);
  w.Key("bulletins");
  strings(bulletins);
  w.Key("deductions").BeginArray();
  for (const auto& d : deductions) {
    w.BeginObject().Field("unit", d.unit_id).Key("points").Double(d.points);
    w.Field("step_id", d.step_id).Field("at", ToMicros(d.at)).EndObject();
  }
  w.EndArray();
  w.Key("evidence").BeginArray();
  for (const auto& e : evidence) {
    w.BeginObject()
        .Field("at", ToMicros(e.at))
        .Field("by", e.by)
        .Field("event", e.event)
        .Field("text", e.text);
    // Only when set, so that the evidence of instances written before stays the same bytes.
    if (!e.sha256.empty()) w.Field("sha256", e.sha256);
    w.EndObject();
  }
  w.EndArray();
  w.Key("signatures").BeginObject();
  for (const auto& [state, who] : signatures) {
    w.Key(state);
    strings(who);
  }
  w.EndObject();
  w.Key("taken").BeginObject();
  for (const auto& [event, n] : taken) w.Field(event, n);
  w.EndObject();
  w.Key("timers").BeginArray();
  for (const auto& t : timers) {
    w.BeginObject()
        .Field("name", t.name)
        .Field("generation", t.generation)
        .Field("due", ToMicros(t.due));
    if (!t.armed) w.Field("armed", false);
    w.EndObject();
  }
  w.EndArray();
  w.Key("held").BeginArray();
  for (const auto& h : held) {
    w.BeginObject().Field("key", h.dedup_key).Field("not_before", ToMicros(h.not_before));
    w.EndObject();
  }
  w.EndArray();
  w.Field("audit_seq", audit_seq).Field("audit_head", audit_head).EndObject();
  return out;
}

InstanceRecord Instance::ToRecord() const {
  InstanceRecord r = record;
  r.data_json = DataJson();
  return r;
}

Result<Instance> Instance::FromRecord(const InstanceRecord& record) {
  Instance inst;
  inst.record = record;
  try {
    // The parsed tree lives in one buffer on the stack (a heap block when the state is larger),
    // not in an allocation per node: this runs for every instance every firing loads.
    unsigned char buffer[8192];
    json::monotonic_resource arena(buffer, sizeof buffer);
    json::value v = json::parse(record.data_json, &arena);
    const json::object& o = v.as_object();
    inst.org = Str(o, "org");
    inst.org_version = static_cast<int>(Int(o, "org_version"));
    inst.title = Str(o, "title");
    inst.responsible = Str(o, "responsible");
    inst.registrar = Str(o, "registrar");
    inst.owner = Str(o, "owner");
    inst.parent = Str(o, "parent");
    inst.calendar = Str(o, "calendar");
    inst.escalation = Str(o, "escalation");
    if (auto it = o.find("origin"); it != o.end()) {
      const json::object& g = it->value().as_object();
      inst.origin.found_by = Str(g, "found_by");
      inst.origin.campaign = Str(g, "campaign");
      inst.origin.round = Str(g, "round");
      inst.origin.source = Str(g, "source");
      inst.origin.recorded_by = Str(g, "recorded_by");
      inst.origin.found_at = FromMicros(Int(g, "found_at"));
      inst.origin.opened = Str(g, "opened");
    }
    if (auto it = o.find("fields"); it != o.end()) {
      for (const auto& kv : it->value().as_object()) {
        inst.fields[std::string(kv.key())] = std::string(kv.value().as_string());
      }
    }
    if (auto it = o.find("clocks"); it != o.end()) {
      for (const auto& kv : it->value().as_object()) {
        const json::object& c = kv.value().as_object();
        StateClock sc;
        sc.clock = ClockFromJson(At(c, "clock").as_object());
        for (const auto& i : Arr(c, "reminders_sent")) {
          sc.reminders_sent.push_back(static_cast<int>(i.to_number<std::int64_t>()));
        }
        sc.escalation_level = static_cast<int>(Int(c, "escalation_level"));
        inst.clocks[std::string(kv.key())] = std::move(sc);
      }
    }
    for (const auto& x : Arr(o, "escalations")) {
      const json::object& e = x.as_object();
      inst.escalations.push_back({Str(e, "state"), static_cast<int>(Int(e, "step")),
                                  Str(e, "step_id"), Str(e, "measure"), Time(e, "due"),
                                  Time(e, "at"), Bool(e, "late"), Str(e, "task"), Str(e, "by"),
                                  Str(e, "reason")});
    }
    for (const auto& x : Arr(o, "measures")) {
      const json::object& e = x.as_object();
      MeasureRecord m;
      m.measure = Str(e, "measure");
      m.step_id = Str(e, "step_id");
      m.state = Str(e, "state");
      m.chain = Str(e, "chain");
      m.by = Str(e, "by");
      m.reason = Str(e, "reason");
      m.unit_id = Str(e, "unit");
      m.carried_out_by = ToStrings(Arr(e, "carried_out_by"));
      m.since = Time(e, "since");
      if (e.contains("ended_at")) {
        m.ended_at = Time(e, "ended_at");
        m.ended_by = Str(e, "ended_by");
        m.end_event = Str(e, "end_event");
        m.end_reason = Str(e, "end_reason");
      }
      inst.measures.push_back(std::move(m));
    }
    inst.payment_suspended = Bool(o, "payment_suspended");
    inst.bulletins = ToStrings(Arr(o, "bulletins"));
    for (const auto& x : Arr(o, "deductions")) {
      const json::object& d = x.as_object();
      inst.deductions.push_back(
          {Str(d, "unit"), At(d, "points").to_number<double>(), Str(d, "step_id"), Time(d, "at")});
    }
    for (const auto& x : Arr(o, "evidence")) {
      const json::object& e = x.as_object();
      inst.evidence.push_back(
          {Time(e, "at"), Str(e, "by"), Str(e, "event"), Str(e, "text"), Str(e, "sha256")});
    }
    if (auto it = o.find("signatures"); it != o.end()) {
      for (const auto& kv : it->value().as_object()) {
        inst.signatures[std::string(kv.key())] = ToStrings(kv.value().as_array());
      }
    }
    if (auto it = o.find("taken"); it != o.end()) {
      for (const auto& kv : it->value().as_object()) {
        inst.taken[std::string(kv.key())] = static_cast<int>(kv.value().to_number<std::int64_t>());
      }
    }
    for (const auto& x : Arr(o, "timers")) {
      const json::object& t = x.as_object();
      auto armed = t.find("armed");
      inst.timers.push_back({Str(t, "name"), Int(t, "generation"), Time(t, "due"),
                             armed == t.end() || armed->value().as_bool()});
    }
    for (const auto& x : Arr(o, "held")) {
      const json::object& h = x.as_object();
      inst.held.push_back({Str(h, "key"), Time(h, "not_before")});
    }
    inst.audit_seq = Int(o, "audit_seq");
    inst.audit_head = Str(o, "audit_head");
  } catch (const std::exception& e) {
    return Error::Internal("instance '" + record.id + "' has data the engine cannot read (" +
                           e.what() + ")");
  }
  return inst;
}

const StateClock* Instance::CurrentClock() const {
  auto it = clocks.find(record.state);
  return it == clocks.end() ? nullptr : &it->second;
}

int Instance::EscalationLevel() const {
  const StateClock* c = CurrentClock();
  return c ? c->escalation_level : 0;
}

std::string Instance::EscalationMeasure() const {
  int level = EscalationLevel();
  if (level == 0) return {};
  for (auto it = escalations.rbegin(); it != escalations.rend(); ++it) {
    if (it->state == record.state && it->step == level - 1) return it->measure;
  }
  return {};
}

std::string Instance::Field(const std::string& name) const {
  auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

}  // namespace rectify::engine
