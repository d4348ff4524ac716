// Reports and the ledger export as tables (report_table.h).
#include "rectify/engine/report_table.h"

#include <boost/json.hpp>
#include <set>
#include <sstream>

#include "rectify/engine/campaign.h"
#include "rectify/engine/campaign_items.h"
#include "rectify/engine/ledger.h"

namespace rectify::engine {

namespace json = boost::json;

namespace {

using Kind = ReportTable::Kind;

std::string Number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// A JSON value as a cell: strings without their quotes.
std::string Cell(const json::value* v) {
  if (!v || v->is_null()) return {};
  return v->is_string() ? std::string(v->as_string()) : json::serialize(*v);
}

}  // namespace

ReportTable OverdueTable(const std::vector<OverdueRow>& rows) {
  ReportTable t;
  t.header = {"unit",
              "unit_path",
              "item",
              "title",
              "responsible",
              "responsible_name",
              "state",
              "deadline",
              "working_days_overdue",
              "calendar_days_overdue",
              "escalation_level",
              "escalation_measure",
              "payment_suspended"};
  t.kinds = {Kind::kText,   Kind::kText, Kind::kText, Kind::kText,   Kind::kText,
             Kind::kText,   Kind::kText, Kind::kDate, Kind::kNumber, Kind::kNumber,
             Kind::kNumber, Kind::kText, Kind::kBool};
  for (const auto& r : rows) {
    t.rows.push_back({r.unit_id, r.unit_path, r.item, r.title, r.responsible, r.responsible_name,
                      r.state, r.deadline, std::to_string(r.working_days_overdue),
                      std::to_string(r.calendar_days_overdue), std::to_string(r.escalation_level),
                      r.escalation_measure, r.payment_suspended ? "true" : "false"});
  }
  return t;
}

ReportTable SummaryTable(const Summary& sum) {
  ReportTable t;
  t.header = {"section", "name", "unit_path", "value"};
  t.kinds = {Kind::kText, Kind::kText, Kind::kText, Kind::kNumber};
  auto count = [&](const char* name, std::int64_t v) {
    t.rows.push_back({"count", name, "", std::to_string(v)});
  };
  count("items", sum.items);
  count("open", sum.open);
  count("closed_on_time", sum.closed_on_time);
  count("closed_late", sum.closed_late);
  count("overdue_now", sum.overdue_now);
  count("interviews_held", sum.interviews_held);
  // The same counts by workflow, rectification items first: "workflow:materials-submission".
  for (const auto& k : sum.by_workflow) {
    std::string section = "workflow:" + k.workflow;
    for (const auto& [name, v] : {std::pair<const char*, std::int64_t>{"items", k.items},
                                  {"open", k.open},
                                  {"closed_on_time", k.closed_on_time},
                                  {"closed_late", k.closed_late},
                                  {"overdue_now", k.overdue_now}}) {
      t.rows.push_back({section, name, "", std::to_string(v)});
    }
  }
  for (const auto& [m, n] : sum.escalations_by_measure) {
    t.rows.push_back({"escalation", m, "", std::to_string(n)});
  }
  for (const auto& u : sum.units_on_bulletins) {
    t.rows.push_back({"bulletin", u.unit_id, u.unit_path, Number(u.value)});
  }
  for (const auto& u : sum.deductions_by_unit) {
    t.rows.push_back({"score_deduction", u.unit_id, u.unit_path, Number(u.value)});
  }
  return t;
}

Result<std::optional<json::object>> LastAssessment(Store& store, const std::string& campaign) {
  std::string id = CampaignInstanceId(campaign);
  auto run = store.LoadInstance(id);
  if (!run) {
    if (run.error().code() != ErrorCode::kNotFound) return run.error();
    return Error::NotFound("campaign " + campaign +
                           " has not been started; start it with 'rectify campaign start " +
                           campaign + "'");
  }
  auto rows = store.AuditOf(id);
  if (!rows) return rows.error();
  std::optional<json::object> last;
  for (const auto& a : *rows) {
    if (a.event != "assessment") continue;
    boost::system::error_code ec;
    json::value data = json::parse(a.data_json, ec);
    if (!ec && data.is_object()) last = data.as_object();
  }
  return last;
}

ReportTable RankingTable(const json::object& assessment) {
  ReportTable t;
  t.header = {"rank",     "unit",        "name",          "kind",  "score",
              "deducted", "escalations", "overdue_items", "vetoes"};
  t.kinds = {Kind::kNumber, Kind::kText,   Kind::kText,   Kind::kText, Kind::kNumber,
             Kind::kNumber, Kind::kNumber, Kind::kNumber, Kind::kText};
  const json::value* ranking = assessment.if_contains("ranking");
  if (!ranking || !ranking->is_array()) return t;
  for (const auto& v : ranking->as_array()) {
    if (!v.is_object()) continue;
    const auto& r = v.as_object();
    std::string vetoes;
    if (const auto* list = r.if_contains("vetoes"); list && list->is_array()) {
      for (const auto& x : list->as_array()) vetoes += (vetoes.empty() ? "" : " ") + Cell(&x);
    }
    t.rows.push_back(
        {Cell(r.if_contains("rank")), Cell(r.if_contains("unit")), Cell(r.if_contains("name")),
         Cell(r.if_contains("kind")), Cell(r.if_contains("score")), Cell(r.if_contains("deducted")),
         Cell(r.if_contains("escalations")), Cell(r.if_contains("overdue_items")), vetoes});
  }
  return t;
}

ReportTable LedgerExportTable(const std::vector<Instance>& items,
                              const definition::DefinitionSet& definitions) {
  std::set<std::string> extra;  // field columns beyond time_limit
  for (const auto& i : items) {
    if (!i.parent.empty()) continue;  // follow-up tasks are not ledger rows
    for (const auto& [k, v] : i.fields) {
      if (k != "time_limit" && !v.empty()) extra.insert(k);
    }
  }
  ReportTable t;
  t.header = {"id",         "title",    "unit",    "responsible", "registered_at",
              "time_limit", "workflow", "campaign"};
  t.kinds = {Kind::kText,     Kind::kText, Kind::kText, Kind::kText,
             Kind::kDateTime, Kind::kText, Kind::kText, Kind::kText};
  t.header.insert(t.header.end(), extra.begin(), extra.end());
  t.kinds.resize(t.header.size(), Kind::kText);
  for (const auto& i : items) {
    if (!i.parent.empty()) continue;
    auto wf =
        definitions.FindWorkflow(i.record.workflow, static_cast<int>(i.record.workflow_version));
    const Calendar* cal = wf ? ItemCalendar(definitions, *wf, i.record.campaign) : nullptr;
    std::vector<std::string> row = {
        i.record.id,
        i.title,
        i.record.unit_id,
        i.responsible,
        cal ? cal->FormatLocal(i.record.created_at) : FormatIso(i.record.created_at),
        i.Field("time_limit"),
        i.record.workflow + "@" + std::to_string(i.record.workflow_version),
        i.record.campaign};
    for (const auto& f : extra) row.push_back(i.Field(f));
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string TableCsv(const ReportTable& table) {
  std::string out(kUtf8Bom);
  out += CsvLine(table.header);
  for (const auto& row : table.rows) out += CsvLine(row);
  return out;
}

}  // namespace rectify::engine
