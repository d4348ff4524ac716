// Instance <-> data_json. Keys are written in a fixed order and maps are sorted, so the same
// state always serializes to the same bytes.
#include "rectify/engine/instance.h"

#include <algorithm>
#include <boost/json.hpp>

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

json::value ClockToJson(const ClockRecord& c) {
  json::array extensions;
  for (const Span& s : c.extensions) extensions.emplace_back(FormatSpan(s));
  json::array pauses;
  for (const PausePeriod& p : c.pauses) {
    json::array period{ToMicros(p.from)};
    if (p.to) {
      period.emplace_back(ToMicros(*p.to));
    } else {
      period.emplace_back(nullptr);
    }
    pauses.emplace_back(std::move(period));
  }
  json::object o;
  o["phase"] = std::string(ClockPhaseName(c.phase));
  o["anchor"] = ToMicros(c.anchor);
  o["budget"] = FormatDeadlineSpec(c.budget);
  o["extensions"] = std::move(extensions);
  o["pauses"] = std::move(pauses);
  o["generation"] = c.generation;
  return o;
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

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
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
  json::object o;
  o["org"] = org;
  o["org_version"] = org_version;
  o["title"] = title;
  o["responsible"] = responsible;
  o["registrar"] = registrar;
  o["owner"] = owner;
  o["parent"] = parent;
  if (!calendar.empty()) o["calendar"] = calendar;
  json::object f;
  for (const auto& [k, v] : fields) f[k] = v;
  o["fields"] = std::move(f);
  json::object clocks_json;
  for (const auto& [state, sc] : clocks) {
    json::array sent;
    for (int i : sc.reminders_sent) sent.emplace_back(i);
    clocks_json[state] = json::object{{"clock", ClockToJson(sc.clock)},
                                      {"reminders_sent", std::move(sent)},
                                      {"escalation_level", sc.escalation_level}};
  }
  o["clocks"] = std::move(clocks_json);
  json::array esc;
  for (const auto& e : escalations) {
    json::object x;
    x["state"] = e.state;
    x["step"] = e.step;
    x["step_id"] = e.step_id;
    x["measure"] = e.measure;
    x["due"] = ToMicros(e.due);
    x["at"] = ToMicros(e.at);
    x["late"] = e.late;
    x["task"] = e.task_id;
    esc.emplace_back(std::move(x));
  }
  o["escalations"] = std::move(esc);
  o["payment_suspended"] = payment_suspended;
  o["bulletins"] = Strings(bulletins);
  json::array ded;
  for (const auto& d : deductions) {
    json::object x;
    x["unit"] = d.unit_id;
    x["points"] = d.points;
    x["step_id"] = d.step_id;
    x["at"] = ToMicros(d.at);
    ded.emplace_back(std::move(x));
  }
  o["deductions"] = std::move(ded);
  json::array ev;
  for (const auto& e : evidence) {
    json::object x;
    x["at"] = ToMicros(e.at);
    x["by"] = e.by;
    x["event"] = e.event;
    x["text"] = e.text;
    ev.emplace_back(std::move(x));
  }
  o["evidence"] = std::move(ev);
  json::object sig;
  for (const auto& [state, who] : signatures) sig[state] = Strings(who);
  o["signatures"] = std::move(sig);
  json::object tk;
  for (const auto& [event, n] : taken) tk[event] = n;
  o["taken"] = std::move(tk);
  json::array tm;
  for (const auto& t : timers) {
    json::object x;
    x["name"] = t.name;
    x["generation"] = t.generation;
    x["due"] = ToMicros(t.due);
    tm.emplace_back(std::move(x));
  }
  o["timers"] = std::move(tm);
  json::array hl;
  for (const auto& h : held) {
    json::object x;
    x["key"] = h.dedup_key;
    x["not_before"] = ToMicros(h.not_before);
    hl.emplace_back(std::move(x));
  }
  o["held"] = std::move(hl);
  o["audit_seq"] = audit_seq;
  o["audit_head"] = audit_head;
  return json::serialize(o);
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
    json::value v = json::parse(record.data_json);
    const json::object& o = v.as_object();
    inst.org = Str(o, "org");
    inst.org_version = static_cast<int>(Int(o, "org_version"));
    inst.title = Str(o, "title");
    inst.responsible = Str(o, "responsible");
    inst.registrar = Str(o, "registrar");
    inst.owner = Str(o, "owner");
    inst.parent = Str(o, "parent");
    inst.calendar = Str(o, "calendar");
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
                                  Time(e, "at"), Bool(e, "late"), Str(e, "task")});
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
      inst.evidence.push_back({Time(e, "at"), Str(e, "by"), Str(e, "event"), Str(e, "text")});
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
      inst.timers.push_back({Str(t, "name"), Int(t, "generation"), Time(t, "due")});
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
