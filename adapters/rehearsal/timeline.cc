#include "adapters/rehearsal/timeline.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "adapters/store/soci/batch.h"

namespace rectify::rehearsal {

namespace json = boost::json;

namespace {

std::string Str(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) return "";
  if (it->value().is_string()) return std::string(it->value().as_string());
  return json::serialize(it->value());
}

// A reminder's offset as people say it: "-5wd" -> "5 working days before the deadline".
std::string OffsetText(const std::string& offset) {
  if (offset == "0" || offset.empty()) return "on the deadline day";
  std::size_t digits = offset.find_first_not_of("0123456789", 1);
  if (offset[0] != '-' || digits == 1 || digits == std::string::npos) return offset;
  std::string n = offset.substr(1, digits - 1);
  std::string unit = offset.substr(digits);
  bool one = n == "1";
  std::string word = unit == "wd"  ? (one ? "working day" : "working days")
                     : unit == "d" ? (one ? "day" : "days")
                     : unit == "h" ? (one ? "hour" : "hours")
                                   : "";
  if (word.empty()) return offset;
  return n + " " + word + " before the deadline";
}

// A measure as the letters name it: "reminder_letter" -> "reminder letter (提醒函)".
std::string MeasureText(const std::string& name) {
  auto m = definition::ParseMeasure(name);
  return m ? std::string(definition::MeasureLabel(*m)) : name;
}

// Item events keep these fields of the audit row's data, in this order.
const std::vector<std::string>& KeptFields(const std::string& event) {
  static const std::map<std::string, std::vector<std::string>> kKept = {
      {"register",
       {"title", "workflow", "responsible", "owner", "parent", "deadline", "source", "round"}},
      {"remind", {"offset", "due", "recipients", "late"}},
      {"escalate",
       {"level", "measure", "step", "chain", "recipients", "task", "task_owner", "score",
        "bulletin", "payment_suspended", "late", "judgment", "carried_out_by", "lasts"}},
      {"measure_end", {"measure", "step", "since", "end_event", "recipients"}},
      {"look_back", {"campaign", "checkpoint", "inspectors"}},
  };
  static const std::vector<std::string> kTransition = {"deadline", "clock", "evidence", "fields"};
  auto it = kKept.find(event);
  return it == kKept.end() ? kTransition : it->second;
}

}  // namespace

Timeline::Timeline(soci::session& sql, std::shared_ptr<const definition::Campaign> campaign)
    : sql_(sql), campaign_(std::move(campaign)) {}

std::string Timeline::Local(Timestamp t) const { return campaign_->calendar().FormatLocal(t); }

std::string Timeline::PersonName(const std::string& id) const {
  auto p = campaign_->org().FindPerson(id);
  return p ? campaign_->org().person(*p).name : id;
}

std::string Timeline::UnitName(const std::string& id) const {
  auto u = campaign_->org().FindUnit(id);
  return u ? campaign_->org().unit(*u).name : id;
}

TimelineEvent Timeline::FromAudit(const std::string& instance, std::int64_t seq, Timestamp at,
                                  const std::string& actor, const std::string& event,
                                  const std::string& from, const std::string& to,
                                  const std::string& reason, const std::string& data_text) {
  TimelineEvent e{at, instance, 0, seq, {}, {}};
  json::object data = json::parse(data_text).as_object();
  json::object& f = e.fields;
  f["at"] = Local(at);
  bool run = instance.rfind("campaign:", 0) == 0;
  std::string unit = unit_of_.count(instance) ? unit_of_[instance] : "";
  auto names = [&](const char* key) {
    std::string out;
    if (auto it = data.find(key); it != data.end() && it->value().is_array()) {
      for (const auto& v : it->value().as_array()) {
        out += (out.empty() ? "" : ", ") + PersonName(std::string(v.as_string()));
      }
    }
    return out;
  };
  if (run) {
    f["event"] = event;
    for (const auto& kv : data) f[kv.key()] = kv.value();
    if (event == "phase_began" || event == "phase_ended") {
      e.text = "phase " + Str(data, "title") + " (" + Str(data, "phase") + ") " +
               (event == "phase_began" ? "began" : "ended");
    } else if (event == "checkpoint_began" || event == "checkpoint_ended") {
      std::string kind = Str(data, "kind");
      std::replace(kind.begin(), kind.end(), '_', ' ');  // "look_back" -> "look back"
      e.text = kind + " " + Str(data, "title") + " " +
               (event == "checkpoint_began" ? "began" : "ended") + " (" + Str(data, "from") +
               " to " + Str(data, "to") + ")";
    } else if (event == "checkpoint_opened" || event == "recurring") {
      std::size_t n = data.contains("instances") ? data.at("instances").as_array().size() : 0;
      bool due = Str(data, "kind") == "submission" && data.contains("to");
      e.text = Str(data, "title") + ": opened for " + std::to_string(n) +
               (n == 1 ? " unit" : " units") + (due ? ", due " + Str(data, "to") : "") +
               (data.contains("theme") ? ", theme " + Str(data, "theme") : "") + " (" +
               Str(data, "workflow") + ")";
    } else if (event == "look_back") {
      std::size_t n = data.at("sampled").as_array().size();
      e.text = Str(data, "title") + ": sampled " + std::to_string(n) + " of " +
               Str(data, "candidates") + " closed items for re-inspection";
    } else if (event == "assessment_mark" || event == "assessment_bonus" ||
               event == "assessment_veto") {
      // An entry of an assessment (engine/assessment.h), as the assessor made it.
      bool veto = event == "assessment_veto";
      e.text =
          Str(data, "assessment") + " " + Str(data, "period") + " " + Str(data, "unit") + " " +
          (event == "assessment_mark" ? "mark " + Str(data, "criterion") + " " + Str(data, "mark")
           : event == "assessment_bonus" ? "bonus " + Str(data, "points")
                                         : "veto " + Str(data, "criterion")) +
          (veto && data.contains("withdrawn") && data.at("withdrawn").as_bool() ? " withdrawn"
                                                                                : "") +
          (data.contains("previous") ? " (was " + Str(data, "previous") + ")" : "") + ": " +
          Str(data, "note");
    } else if (event == "assessment") {
      e.text = Str(data, "title") + " " + Str(data, "period") +
               (data.contains("published") ? " published by " + Str(data, "by") : "") + ":";
      const auto& rows = data.at("ranking").as_array();
      for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i == 3 && rows.size() > 6) e.text += " ...";
        if (i >= 3 && i + 3 < rows.size()) continue;
        const auto& r = rows[i].as_object();
        e.text += " " + Str(r, "rank") + "." + Str(r, "name") + " " + Str(r, "score") +
                  (r.contains("vetoes") ? " (一票否决)" : "");
      }
    } else if (event == "bulletin_issued_before" || event == "bulletin_not_issued") {
      std::string after = Str(data, "after") + " " + Str(data, "day");
      e.text = event == "bulletin_issued_before"
                   ? "scheduled bulletin after " + after + ": bulletin " + Str(data, "bulletin") +
                         " was issued by hand since; not issued again"
                   : "scheduled bulletin after " + after + " not issued: " + Str(data, "reason");
    } else {
      e.text = event + " " + Str(data, "campaign") + " (" + from + " -> " + to + ")";
    }
    return e;
  }
  static const std::map<std::string, std::string> kNames = {
      {"register", "registered"},         {"remind", "reminder"}, {"escalate", "escalation"},
      {"look_back", "look_back_sampled"}, {"sign", "signed"},     {"measure_end", "measure_ended"}};
  auto name = kNames.find(event);
  // A transition may be named like an audit event (public-report's `register`: received ->
  // checking); the instance's own registration has no state before it.
  bool transition = name == kNames.end() || (event == "register" && !from.empty());
  f["event"] = transition ? "transition" : name->second;
  f["item"] = instance;
  if (!unit.empty()) f["unit"] = unit;
  if (transition) {
    f["action"] = event;
    f["from"] = from;
    f["to"] = to;
  }
  if (!actor.empty() && actor != "system") f["actor"] = actor;
  if (!reason.empty()) f["reason"] = reason;
  for (const std::string& k : KeptFields(event)) {
    auto it = data.find(k);
    if (it == data.end()) continue;
    if ((k == "deadline" || k == "due") && it->value().is_string()) {
      auto t = ParseIso(it->value().as_string());
      f[k] = t ? json::value(Local(*t)) : it->value();
    } else {
      f[k] = it->value();
    }
  }
  std::string who = UnitName(unit);
  if (event == "register" && !transition) {
    e.text = "registered '" + Str(data, "title") + "', responsible " +
             PersonName(Str(data, "responsible"));
    // An item a confirmed finding or report opened (engine/findings.h) says which.
    if (data.contains("source")) e.text += ", from " + Str(data, "source");
  } else if (event == "remind") {
    e.text = "reminder, " + OffsetText(Str(data, "offset")) + ", to " + names("recipients");
  } else if (event == "escalate") {
    e.text = "escalation step " + Str(data, "level") + ": " + MeasureText(Str(data, "measure")) +
             " to " + names("recipients") +
             (data.contains("task") ? ", task " + Str(data, "task") : std::string());
    // What the step did besides the letters.
    if (data.contains("payment_suspended") && data.at("payment_suspended") == true) {
      e.text += "; payment suspended";
    }
    if (std::string b = Str(data, "bulletin"); !b.empty()) {
      e.text += "; on " + UnitName(b) + "'s bulletin";
    }
    // A step taken by a person's judgment (measures.h) rather than by time.
    if (data.contains("judgment")) {
      e.text += "; taken by " + PersonName(actor) + " for " + reason;
    }
    if (auto it = data.find("score"); it != data.end() && it->value().is_number()) {
      double points = it->value().to_number<double>();
      std::ostringstream text;
      text << points;
      if (points != 0) e.text += "; score " + text.str();
    }
  } else if (event == "look_back") {
    e.text = "sampled by the look back for re-inspection";
  } else if (event == "sign") {
    e.text = "signed by " + PersonName(actor);
  } else if (event == "measure_end") {
    e.text = MeasureText(Str(data, "measure")) + " ended" +
             (data.contains("end_event") ? " on " + Str(data, "end_event") : std::string()) +
             " by " + PersonName(actor) + (reason.empty() ? "" : " (" + reason + ")");
  } else {
    e.text = event + ": " + from + " -> " + to + " by " + PersonName(actor) +
             (reason.empty() ? "" : " (" + reason + ")");
  }
  e.text = instance + "  " + who + "  " + e.text;
  return e;
}

TimelineEvent Timeline::FromOutbox(std::int64_t id, const std::string& instance,
                                   const std::string& channel, const std::string& recipient,
                                   const std::string& template_name, const std::string& payload,
                                   Timestamp not_before, const std::string& state,
                                   Timestamp created) {
  TimelineEvent e{created, instance, 1, id, {}, {}};
  json::object p = json::parse(payload).as_object();
  json::object& f = e.fields;
  f["at"] = Local(created);
  f["event"] = "notification";
  bool run = instance.rfind("campaign:", 0) == 0;
  if (!run && !instance.empty()) f["item"] = instance;
  std::string unit = run ? "" : (unit_of_.count(instance) ? unit_of_[instance] : "");
  if (!unit.empty()) f["unit"] = unit;
  f["template"] = template_name;
  f["channel"] = channel;
  f["recipient"] = recipient;
  std::string name = channel == "bulletin" ? UnitName(recipient) : PersonName(recipient);
  f["recipient_name"] = name;
  if (p.contains("measure")) f["measure"] = p.at("measure");
  f["deliver_at"] = Local(not_before);
  if (state == "cancelled") f["cancelled"] = true;
  std::string message = Str(p, "message");
  // A bulletin's message carries its parts, not a text: say which bulletin, and that unit's count.
  if (message.empty() && template_name == "bulletin") {
    message = Str(p, "number_label") + " " + Str(p, "title") + " (" + Str(p, "unit_name") + ": " +
              Str(p, "findings") + " problems, " + Str(p, "overdue") + " overdue)";
  }
  f["message"] = message;
  e.text = (run ? "" : instance + "  ") + "-> " + name + " (" + channel + "): " + message +
           (state == "cancelled" ? " [cancelled]" : "");
  return e;
}

// A bulletin as issued (its frozen content, engine/bulletin.h): before the messages that send it
// (instance "" like theirs, audit's source), its number in both languages, the day, the units in
// its scope and the problems it counts, per unit kind as seed 000 counts them.
TimelineEvent Timeline::FromBulletin(int year, int number, const std::string& issued_by,
                                     Timestamp at, const std::string& content_text) {
  TimelineEvent e{at, "", 0, number, {}, {}};
  json::object c = json::parse(content_text).as_object();
  auto obj = [&](const char* key) {
    const json::value* v = c.if_contains(key);
    return v && v->is_object() ? v->as_object() : json::object{};
  };
  auto total = [&](const char* key) {
    const json::object o = obj(key);  // kept: if_contains points into it
    const json::value* v = o.if_contains("total");
    return v && v->is_int64() ? v->as_int64() : std::int64_t{0};
  };
  json::object label = obj("number_label");
  json::object scope = obj("scope");
  json::object findings = obj("findings");
  std::int64_t units =
      scope.contains("units") ? static_cast<std::int64_t>(scope.at("units").as_array().size()) : 0;
  json::array by_kind;
  std::string kinds;
  if (const json::value* k = findings.if_contains("by_kind"); k && k->is_array()) {
    for (const json::value& v : k->as_array()) {
      const json::object& o = v.as_object();
      by_kind.push_back(json::object{
          {"kind", o.at("kind")}, {"units", o.at("units")}, {"problems", o.at("count")}});
      kinds += (kinds.empty() ? "" : ", ") + Str(o, "count") + " at " + Str(o, "units") + " " +
               Str(o, "kind") + (Str(o, "units") == "1" ? " unit" : " units");
    }
  }
  json::object& f = e.fields;
  f["at"] = Local(at);
  f["event"] = "bulletin";
  f["bulletin"] = std::to_string(year) + "-" + std::to_string(number);
  f["number_label"] = label;
  f["issued_on"] = Str(c, "issued_on");
  f["issued_by"] = issued_by;
  f["title"] = Str(c, "title");
  f["title_en"] = Str(c, "title_en");
  if (c.contains("round") && c.at("round").is_string()) f["round"] = c.at("round");
  f["units"] = units;
  f["problems"] = total("findings");
  f["problems_by_kind"] = std::move(by_kind);
  f["overdue"] = total("overdue");
  f["measures"] = total("measures");
  e.text = "bulletin " + Str(label, "zh") + " (" + Str(label, "en") + ") " + Str(c, "title") +
           ", issued " + Str(c, "issued_on") + " by " + PersonName(issued_by) + " to " +
           std::to_string(units) + " units: " + std::to_string(total("findings")) + " problems" +
           (kinds.empty() ? "" : " (" + kinds + ")") + ", " + std::to_string(total("overdue")) +
           " overdue items, " + std::to_string(total("measures")) + " measures";
  return e;
}

Result<std::vector<TimelineEvent>> Timeline::ReadNew() {
  std::vector<TimelineEvent> out;
  try {
    {
      soci::rowset<soci::row> rows = (sql_.prepare << "SELECT id, unit_id FROM instances");
      for (const auto& r : rows) unit_of_[r.get<std::string>(0)] = r.get<std::string>(1);
    }
    std::int64_t since = audit_since_;
    std::set<std::pair<std::string, std::int64_t>> at_since;
    {
      soci::rowset<soci::row> rows =
          (sql_.prepare << "SELECT instance_id, seq, at, actor, event, from_state, to_state, "
                           "reason, data FROM audit_log WHERE at >= " +
                               std::to_string(since) + " ORDER BY at, instance_id, seq");
      for (const auto& r : rows) {
        std::string inst = r.get<std::string>(0);
        auto seq = store_soci::RowInt(r, 1);
        auto at = store_soci::RowInt(r, 2);
        if (at == since && seen_audit_.count({inst, seq})) continue;
        if (at > audit_since_) {
          audit_since_ = at;
          at_since.clear();
        }
        if (at == audit_since_) at_since.insert({inst, seq});
        // The bulletin a campaign run issued is told once, as the bulletin (below).
        if (r.get<std::string>(4) == "bulletin_issued") continue;
        out.push_back(FromAudit(inst, seq, FromMicros(at), r.get<std::string>(3),
                                r.get<std::string>(4), r.get<std::string>(5), r.get<std::string>(6),
                                r.get<std::string>(7), r.get<std::string>(8)));
      }
    }
    if (audit_since_ != since) {
      seen_audit_ = std::move(at_since);
    } else {
      seen_audit_.insert(at_since.begin(), at_since.end());
    }
    {
      soci::rowset<soci::row> rows =
          (sql_.prepare << "SELECT id, instance_id, channel, recipient, template, payload, "
                           "not_before, state, created_at FROM outbox WHERE id > " +
                               std::to_string(last_outbox_) + " ORDER BY id");
      for (const auto& r : rows) {
        auto id = store_soci::RowInt(r, 0);
        last_outbox_ = std::max(last_outbox_, id);
        out.push_back(FromOutbox(id, r.get<std::string>(1), r.get<std::string>(2),
                                 r.get<std::string>(3), r.get<std::string>(4),
                                 r.get<std::string>(5), FromMicros(store_soci::RowInt(r, 6)),
                                 r.get<std::string>(7), FromMicros(store_soci::RowInt(r, 8))));
      }
    }
    {
      std::string name = campaign_->info().name;
      soci::rowset<soci::row> rows =
          (sql_.prepare << "SELECT year, number, issued_by, issued_at, content FROM bulletins "
                           "WHERE campaign = :campaign ORDER BY issued_at, year, number",
           soci::use(name));
      for (const auto& r : rows) {
        int year = static_cast<int>(store_soci::RowInt(r, 0));
        int number = static_cast<int>(store_soci::RowInt(r, 1));
        if (!seen_bulletins_.insert({year, number}).second) continue;
        out.push_back(FromBulletin(year, number, r.get<std::string>(2),
                                   FromMicros(store_soci::RowInt(r, 3)), r.get<std::string>(4)));
      }
    }
  } catch (const std::exception& e) {
    return Error::Internal(std::string("reading the timeline: ") + e.what());
  }
  std::stable_sort(out.begin(), out.end(), [](const TimelineEvent& a, const TimelineEvent& b) {
    if (a.at != b.at) return a.at < b.at;
    if (a.instance != b.instance) return a.instance < b.instance;
    if (a.source != b.source) return a.source < b.source;
    return a.seq < b.seq;
  });
  return out;
}

}  // namespace rectify::rehearsal
