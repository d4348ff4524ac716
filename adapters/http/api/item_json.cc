// An item row as JSON text (item_json.h).
#include "adapters/http/api/item_json.h"

#include "rectify/calendar/calendar.h"
#include "rectify/json_writer.h"

namespace rectify::api {

std::string PersonName(const definition::Org& org, const std::string& id) {
  auto p = org.FindPerson(id);
  return p ? org.person(*p).name : std::string();
}

void ItemJsonParts(const ItemRow& row, std::string& head, std::string& tail) {
  head.clear();
  tail.clear();
  if (!row.bound.org || !row.bound.workflow) return;  // not listed (its definitions are missing)
  const auto& org = *row.bound.org;
  const auto& wf = *row.bound.workflow;
  JsonWriter h(head);
  h.Field("id", row.id).Field("title", row.title).Field("unit", row.unit);
  auto unit = org.FindUnit(row.unit);
  h.Field("unit_name", unit ? org.unit(*unit).name : std::string());
  h.Field("campaign", row.campaign);
  if (row.found_by.empty()) {
    h.Key("found_by").Null();
  } else {
    h.Field("found_by", row.found_by);
  }
  h.Field("workflow", row.workflow).Field("workflow_version", row.workflow_version);
  h.Field("state", row.state);
  auto state = wf.FindState(row.state);
  h.Field("state_title", state ? wf.state(*state).title : std::string());
  h.Field("responsible", row.responsible);
  h.Field("responsible_name", PersonName(org, row.responsible));

  JsonWriter t(tail);
  t.Field("escalation_level", row.escalation_level);
  t.Field("escalation_measure", row.escalation_measure);
  t.Field("payment_suspended", row.payment_suspended);
  t.Key("measures_in_force").BeginArray();
  for (const auto& m : row.measures_in_force) t.String(m);
  t.EndArray();
  t.Field("version", row.version);
}

void AppendItemJson(std::string& out, const ItemRow& row, engine::DeadlineView d, Timestamp now) {
  out += '{';
  out += row.json_head;
  JsonWriter w(out);
  w.Continue();
  if (d.has) {
    if (row.bound.calendar) engine::CountDays(*row.bound.calendar, now, d);
    w.Field("due", FormatDate(d.due));
    w.Field("due_at",
            row.bound.calendar ? row.bound.calendar->FormatLocal(d.ends_at) : FormatIso(d.ends_at));
    w.Field("overdue", d.overdue);
    w.Field("clock", d.paused ? "paused" : "running");
    if (d.overdue) {
      w.Field("working_days_overdue", d.working_days_overdue);
    } else {
      w.Field("working_days_left", d.working_days_left);
    }
  } else {
    w.Key("due").Null();
    w.Field("overdue", false);
  }
  out += ',';
  out += row.json_tail;
  out += '}';
}

}  // namespace rectify::api
