// The ledger's columns and rows, checked against the definitions: every problem of every row is
// reported with its row and column before anything is registered.
#include "rectify/engine/ledger.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <set>

#include "rectify/diagnostics.h"
#include "rectify/engine/access.h"
#include "rectify/engine/campaign.h"
#include "rectify/engine/campaign_items.h"
#include "rectify/engine/findings.h"
#include "rectify/engine/table_input.h"
#include "rectify/notify/contact.h"

namespace rectify::engine {

namespace {

// Headers as Chinese ledgers write them, matched after NormalizeHeader (no spaces, full-width
// brackets as ASCII). A header with a bracket after it ("整改时限（工作日）", "编号 (id)") is
// matched by the part before the bracket, then by the part inside. A workflow field's `title:`
// names it too (验收人, 整改措施; "整改时限 (10wd or a date)" by 整改时限).
const std::map<std::string, std::string, std::less<>>& Aliases() {
  static const std::map<std::string, std::string, std::less<>> kAliases = {
      {"编号", "id"},
      {"问题编号", "id"},
      {"台账编号", "id"},
      {"问题", "title"},
      {"问题描述", "title"},
      {"存在问题", "title"},
      {"问题名称", "title"},
      {"问题标题", "title"},
      {"责任单位", "unit"},
      {"整改单位", "unit"},
      {"整改责任单位", "unit"},
      {"责任人", "responsible"},
      {"整改责任人", "responsible"},
      {"具体责任人", "responsible"},
      {"验收人", "verifier"},
      {"验收责任人", "verifier"},
      {"销号验收人", "verifier"},
      {"登记时间", "registered_at"},
      {"登记日期", "registered_at"},
      {"交办时间", "registered_at"},
      {"交办日期", "registered_at"},
      {"发现时间", "registered_at"},
      {"发现日期", "registered_at"},
      {"整改时限", "time_limit"},
      {"整改期限", "time_limit"},
      {"完成时限", "time_limit"},
      {"整改措施", "measures"},
      {"专项行动", "special_action"},
      {"所属专项", "special_action"},
      {"所属专项行动", "special_action"},
      {"工作流", "workflow"},
      {"流程", "workflow"},
      {"发现方式", "found_by"},
      {"问题来源", "found_by"},
      {"战役", "campaign"},
      {"所属活动", "campaign"},
      {"活动", "campaign"}};
  return kAliases;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The column a header names: `known` as it is (case-insensitive), an alias, or a field's title.
std::string ColumnName(const std::string& header, const std::vector<std::string>& known,
                       const std::map<std::string, std::string, std::less<>>& titles) {
  std::string h = NormalizeHeader(header);
  std::vector<std::string> tries = {h};
  if (auto open = h.find('('); open != std::string::npos && open > 0 && h.back() == ')') {
    tries.push_back(h.substr(0, open));
    tries.push_back(h.substr(open + 1, h.size() - open - 2));
  }
  for (const std::string& t : tries) {
    if (std::find(known.begin(), known.end(), t) != known.end()) return t;
    if (auto a = Aliases().find(t); a != Aliases().end()) return a->second;
    if (auto f = titles.find(t); f != titles.end()) return f->second;
  }
  return Lower(header);
}

std::string Join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// The loaded orgs, latest versions.
std::vector<std::shared_ptr<const definition::Org>> Orgs(const definition::DefinitionSet& defs) {
  std::vector<std::shared_ptr<const definition::Org>> out;
  for (const auto& info : defs.All()) {
    if (info.kind != definition::Kind::kOrg) continue;
    auto org = defs.FindOrg(info.name);
    if (std::find(out.begin(), out.end(), org) == out.end()) out.push_back(org);
  }
  return out;
}

class RowChecker {
 public:
  RowChecker(const definition::DefinitionSet& defs, const LedgerOptions& options,
             const std::vector<std::string>& columns, Diagnostics& diags)
      : defs_(defs), options_(options), columns_(columns), diags_(diags), orgs_(Orgs(defs)) {
    for (const auto& org : orgs_) {
      for (const auto& u : org->units()) {
        unit_words_.push_back(u.id);
        unit_words_.push_back(u.name);
      }
    }
    for (const auto& info : defs.All()) {
      if (info.kind == definition::Kind::kWorkflow) workflow_names_.push_back(info.name);
      if (info.kind == definition::Kind::kCampaign) campaign_names_.push_back(info.name);
      if (info.kind == definition::Kind::kEscalation) escalation_names_.push_back(info.name);
    }
  }

  // Checks one record; returns the row when it has no error.
  std::optional<LedgerRow> Check(const CsvRecord& rec) {
    rec_ = &rec;
    std::size_t errors_before = diags_.error_count();
    for (std::size_t c = columns_.size(); c < rec.cells.size(); ++c) {
      if (!rec.cells[c].empty()) {
        Error(static_cast<int>(c) + 1, "",
              "more cells than the header has columns (" + std::to_string(columns_.size()) + ")",
              "quote a cell that holds a comma: \"a, b\"");
        break;
      }
    }
    LedgerRow row;
    row.row = rec.row;
    NewInstance& item = row.item;
    item.actor = options_.registrar.empty() ? kSystemActor : options_.registrar;

    item.id = Cell("id");
    if (item.id.empty()) {
      Missing("id");
    } else if (item.id.find_first_of(" \t\r\n|") != std::string::npos) {
      Error(Col("id"), "id", "'" + item.id + "' has a space, a line break or '|'",
            "an id is one word, such as XS-2017-001");
    } else if (auto [it, fresh] = ids_.emplace(item.id, rec.row); !fresh) {
      Error(Col("id"), "id",
            "'" + item.id + "' is also the id of row " + std::to_string(it->second),
            "each problem needs its own id");
    }
    item.title = Cell("title");
    if (item.title.empty()) Missing("title");

    auto wf = Workflow(row);
    auto org = Unit(item);
    if (org) Responsible(*org, item);
    const Calendar* cal = wf ? wf->calendar().get() : nullptr;
    auto at = RegisteredAt(cal, wf != nullptr);
    if (at) item.at = *at;
    TimeLimit(wf.get(), cal, at, item);
    Escalation(item);
    Campaign(item);
    ReadFoundBy(item);
    Fields(wf.get(), org.get(), item);

    if (wf) {
      // The first transition the importer takes (assign), unless the system takes one itself.
      const auto& initial = wf->state(wf->initial());
      for (auto ti : initial.transitions) {
        if (wf->transition(ti).event == options_.assign_event)
          row.assign_event = options_.assign_event;
      }
      if (!row.assign_event.empty() && options_.registrar.empty() &&
          !assign_reported_.count(wf->info().name)) {
        assign_reported_.insert(wf->info().name);
        Error(0, "",
              "workflow " + wf->info().name + " starts in '" + initial.id + "', where '" +
                  options_.assign_event +
                  "' hands the problem over; a person must register and assign the rows",
              "name the registrar (rectify ledger import --as PERSON)");
      }
    }
    if (diags_.error_count() > errors_before) return std::nullopt;
    if (wf && org) RoleFallbacks(*wf, *org, item);
    return row;
  }

  // The notes and warnings about all rows: who acts for empty person fields, time limits read as
  // calendar days.
  void Finish(Ledger& ledger) {
    for (const auto& [text, rows] : calendar_days_) {
      auto office = ParseOfficeTimeLimit(text);
      std::string n = office->text.substr(0, office->text.size() - 1);
      ledger.notes.push_back("time_limit: '" + text + "' (row" + (rows.size() == 1 ? " " : "s ") +
                             JoinFirst(rows) + ") is read as " + n + " calendar days (" +
                             office->text + "); for working days write " + n + "个工作日 or " + n +
                             "wd");
    }
    for (const Fallback& f : fallbacks_) {
      std::string items = f.items.size() == 1 ? "item " : "items ";
      items += JoinFirst(f.items);
      // Nobody could take its transitions, and items keep the org version they start on, so a
      // later org cannot help them: refused, where the file can still say who.
      if (f.people.empty()) {
        diags_.Error({options_.file, f.row, f.column}, f.field,
                     "nobody would act as " + f.field + " on " + items + ": " + f.reason,
                     "fill the " + f.field +
                         " column with a person (id or name), or give someone "
                         "the role " +
                         f.field + " in org " + f.org + " before importing");
        continue;
      }
      ledger.notes.push_back(f.field + ": " + items +
                             (f.items.size() == 1 ? " names no " : " name no ") + f.field +
                             "; the holders of the role " + f.field + " for their units act as " +
                             f.field + " and get its reminders: " + Join(f.people));
    }
  }

 private:
  int Col(const std::string& name) const {
    auto it = std::find(columns_.begin(), columns_.end(), name);
    return it == columns_.end() ? 0 : static_cast<int>(it - columns_.begin()) + 1;
  }
  std::string Cell(const std::string& name) const {
    int c = Col(name);
    if (c == 0 || static_cast<std::size_t>(c) > rec_->cells.size()) return {};
    return rec_->cells[static_cast<std::size_t>(c - 1)];
  }
  void Error(int column, const std::string& path, std::string message, std::string hint = {}) {
    diags_.Error({options_.file, rec_->row, column}, path, std::move(message), std::move(hint));
  }
  void Warning(int column, const std::string& path, std::string message, std::string hint = {}) {
    diags_.Warning({options_.file, rec_->row, column}, path, std::move(message), std::move(hint));
  }
  void Missing(const std::string& name) { Error(Col(name), name, "missing value"); }

  // The campaign the row joins (its cell, else --campaign), when it is loaded.
  std::shared_ptr<const definition::Campaign> RowCampaign() const {
    std::string name = Cell("campaign").empty() ? options_.campaign : Cell("campaign");
    return name.empty() ? nullptr : defs_.FindCampaign(name);
  }

  // The row's cell, else --workflow, else the campaign's items.workflow, else the library's
  // (campaign_items.h).
  std::shared_ptr<const definition::Workflow> Workflow(LedgerRow& row) {
    std::string text = Cell("workflow");
    int col = Col("workflow");
    if (text.empty()) {
      text = options_.workflow;
      col = 0;
    }
    // The campaign's choice yields to the version its run pinned, as a bare name would.
    bool from_campaign = false;
    if (text.empty()) {
      auto c = RowCampaign();
      from_campaign = c && c->items().workflow;
      text = c && c->items().workflow ? c->items().workflow->info().name + "@" +
                                            std::to_string(c->items().workflow->info().version)
                                      : std::string(kDefaultItemWorkflow);
    }
    auto nv = definition::ParseNameVersion(text);
    // A started campaign's rows run on the version it pinned.
    std::string campaign = Cell("campaign").empty() ? options_.campaign : Cell("campaign");
    if (auto c = options_.pinned.find(campaign); nv && c != options_.pinned.end()) {
      if (auto pin = c->second.find(nv->name); pin != c->second.end()) {
        if (!from_campaign && nv->version != 0 && nv->version != pin->second) {
          Error(col, col ? "workflow" : "",
                CampaignPinMismatch(campaign, nv->name, pin->second, nv->version));
          return nullptr;
        }
        nv->version = pin->second;
      }
    }
    std::shared_ptr<const definition::Workflow> wf;
    if (nv) wf = defs_.FindWorkflow(nv->name, nv->version);
    if (!wf) {
      if (col == 0 && default_reported_) return nullptr;
      default_reported_ = default_reported_ || col == 0;
      Error(col, col ? "workflow" : "", "no workflow '" + text + "' is loaded",
            SuggestHint(nv ? nv->name : text, workflow_names_));
      return nullptr;
    }
    row.item.workflow = wf->info().name;
    row.item.workflow_version = wf->info().version;
    if (from_campaign) row.item.audit_notes["workflow_from"] = "campaign " + campaign;
    return wf;
  }

  std::shared_ptr<const definition::Org> Unit(NewInstance& item) {
    std::string text = Cell("unit");
    if (text.empty()) {
      Missing("unit");
      return nullptr;
    }
    std::vector<std::pair<std::shared_ptr<const definition::Org>, std::string>> found;
    for (const auto& org : orgs_) {
      if (org->FindUnit(text)) {
        found.push_back({org, text});
        continue;
      }
      for (const auto& u : org->units()) {
        if (u.name == text) found.push_back({org, u.id});
      }
    }
    if (found.empty()) {
      Error(Col("unit"), "unit", "no unit '" + text + "' in the loaded orgs",
            SuggestHint(text, unit_words_, "give a unit id or name from workflows/orgs/"));
      return nullptr;
    }
    if (found.size() > 1) {
      std::vector<std::string> which;
      for (const auto& [org, id] : found)
        which.push_back(UnitLabel(*org, id) + " of " + org->info().name);
      Error(Col("unit"), "unit", "'" + text + "' names more than one unit: " + Join(which),
            "give the unit's id");
      return nullptr;
    }
    item.unit = found.front().second;
    item.org = found.front().first->info().name;
    return found.front().first;
  }

  void Responsible(const definition::Org& org, NewInstance& item) {
    std::string text = Cell("responsible");
    int col = Col("responsible");
    if (text.empty()) return Missing("responsible");
    std::optional<definition::PersonIndex> person = org.FindPerson(text);
    if (!person) {
      std::vector<definition::PersonIndex> named;
      for (std::size_t i = 0; i < org.people().size(); ++i) {
        if (org.people()[i].name == text) named.push_back(static_cast<int>(i));
      }
      if (named.size() > 1) {
        std::vector<std::string> which;
        for (auto p : named) which.push_back(PersonLabel(org, org.person(p).id));
        return Error(col, "responsible",
                     "'" + text + "' names more than one person of org " + org.info().name + ": " +
                         Join(which),
                     "give the person's id");
      }
      if (named.empty()) {
        std::vector<std::string> words;
        for (const auto& p : org.people()) {
          words.push_back(p.id);
          words.push_back(p.name);
        }
        return Error(col, "responsible", "no person '" + text + "' in org " + org.info().name,
                     SuggestHint(text, words, "give a person id or name from workflows/orgs/"));
      }
      person = named.front();
    }
    item.responsible = org.person(*person).id;
    auto unit = *org.FindUnit(item.unit);
    auto own = org.person(*person).unit;
    if (!org.Within(own, unit) && !org.Within(unit, ScopeOf(org, *person))) {
      Warning(col, "responsible",
              PersonLabel(org, item.responsible) + " belongs to " + org.unit(own).name +
                  ", outside " + UnitLabel(org, item.unit) +
                  "; reminders go to them, escalations to the heads of " + org.unit(unit).name,
              "check the unit and the person of this row");
    }
  }

  // `has_workflow`: false when the row's workflow is unknown (reported already), so its missing
  // calendar is no news.
  std::optional<Timestamp> RegisteredAt(const Calendar* cal, bool has_workflow) {
    std::string text = Cell("registered_at");
    int col = Col("registered_at");
    if (text.empty()) {
      Missing("registered_at");
      return std::nullopt;
    }
    std::optional<Timestamp> at;
    if (auto office = ParseOfficeDateTime(text)) {
      const Date* d = &office->date;
      if (!cal) {
        if (has_workflow) {
          Error(col, "registered_at", "a date needs the workflow's calendar, and it has none",
                "give a date-time with an offset: " + text + "T09:00:00+08:00");
        }
        return std::nullopt;
      }
      if (!cal->Covers(*d)) {
        Error(col, "registered_at", cal->OutsideError(*d).message());
        return std::nullopt;
      }
      at = office->time ? cal->AtLocalTime(*d, *office->time)
           : options_.date_registered_at.count() == 0
               ? cal->StartOfDay(*d)
               : cal->AtLocalTime(*d, options_.date_registered_at);
    } else if (auto t = ParseIso(text)) {
      at = *t;
      if (cal && !cal->Covers(cal->DateOf(*t))) {
        Error(col, "registered_at", cal->OutsideError(cal->DateOf(*t)).message());
        return std::nullopt;
      }
    } else {
      Error(col, "registered_at", "'" + text + "' is not a date or a date-time",
            "write 2017-04-21 or 2017-04-21T10:00:00+08:00");
      return std::nullopt;
    }
    if (options_.now && *at > *options_.now) {
      Error(col, "registered_at",
            "'" + text + "' is later than now (" +
                (cal ? cal->FormatLocal(*options_.now) : FormatIso(*options_.now)) + ")",
            "a problem is registered when it is found; check the year");
      return std::nullopt;
    }
    return at;
  }

  void TimeLimit(const definition::Workflow* wf, const Calendar* cal,
                 const std::optional<Timestamp>& at, NewInstance& item) {
    std::string text = Cell("time_limit");
    int col = Col("time_limit");
    const bool from_cell = !text.empty();
    if (text.empty()) text = options_.default_time_limit;
    if (auto c = RowCampaign();
        text.empty() && c && c->items().time_limit && wf && wf->FindField("time_limit")) {
      text = FormatSpan(*c->items().time_limit);
      item.audit_notes["time_limit_from"] = "campaign " + c->info().name;
    }
    if (text.empty()) return Missing("time_limit");
    auto office = ParseOfficeTimeLimit(text);
    auto spec = ParseDeadlineSpec(office ? office->text : text);
    if (!spec) {
      const std::string& m = spec.error().message();
      // The parser's message ends with the accepted forms; they read better as the hint.
      return Error(col, "time_limit", "'" + text + "' is not a duration or a date",
                   "write a duration such as 10wd (working days), 15d, or a date such as "
                   "2017-05-15" +
                       std::string(m.find("accepted") != std::string::npos ? "" : "; " + m));
    }
    if (wf && !wf->FindField("time_limit")) {
      return Error(col, "time_limit", "workflow " + wf->info().Label() + " has no field time_limit",
                   "leave the cell empty or pick a workflow with a time limit");
    }
    if (spec->kind == DeadlineSpec::Kind::kSpan && spec->span.negative()) {
      return Error(col, "time_limit", "'" + text + "' is negative",
                   "a time limit runs forward from registered_at");
    }
    if (cal && at) {
      auto due = ResolveDeadline(*cal, *at, *spec);
      if (!due) return Error(col, "time_limit", due.error().message());
      if (*due <= *at) {
        return Error(col, "time_limit",
                     "the time limit ends (" + cal->FormatLocal(*due) +
                         ") no later than the row's registered_at (" + cal->FormatLocal(*at) + ")",
                     "check the date");
      }
    }
    item.fields["time_limit"] = office->text;
    if (from_cell && office->calendar_days) calendar_days_[text].push_back(rec_->row);
  }

  void Escalation(NewInstance& item) {
    std::string text = Cell("escalation");
    int col = Col("escalation");
    if (text.empty()) {
      text = options_.escalation;
      col = 0;
    }
    if (text.empty()) return;
    auto nv = definition::ParseNameVersion(text);
    if (!nv || !defs_.FindEscalation(nv->name, nv->version)) {
      if (col == 0 && escalation_reported_) return;
      escalation_reported_ = escalation_reported_ || col == 0;
      return Error(col, col ? "escalation" : "", "no escalation chain '" + text + "' is loaded",
                   SuggestHint(nv ? nv->name : text, escalation_names_));
    }
    item.escalation = text;
  }

  void Campaign(NewInstance& item) {
    std::string text = Cell("campaign");
    int col = Col("campaign");
    if (text.empty()) {
      text = options_.campaign;
      col = 0;
    }
    item.campaign = text;
    if (text.empty() || col == 0 || defs_.FindCampaign(text)) return;
    if (warned_campaigns_.insert(text).second) {
      Warning(col, "campaign", "no campaign '" + text + "' is loaded; the rows are tagged with it",
              SuggestHint(text, campaign_names_, "check the name"));
    }
  }

  // How the row's problem was found (findings.h: FoundBy), when the ledger says; recorded on the
  // item as its origin, so lists show it and filter on it.
  void ReadFoundBy(NewInstance& item) {
    std::string text = Cell("found_by");
    if (text.empty()) return;
    auto how = ParseFoundBy(text);
    if (!how) {
      return Error(Col("found_by"), "found_by", "'" + text + "' is not a way of finding",
                   "write one of " + FoundByNames());
    }
    item.origin.found_by = std::string(FoundByName(*how));
    item.origin.campaign = item.campaign;
  }

  void Fields(const definition::Workflow* wf, const definition::Org* org, NewInstance& item) {
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      const std::string& name = columns_[c];
      if (name == "time_limit" ||
          std::find(std::begin(kLedgerRequiredColumns), std::end(kLedgerRequiredColumns), name) !=
              std::end(kLedgerRequiredColumns)) {
        continue;
      }
      if (name == "workflow" || name == "campaign" || name == "escalation" || name == "found_by")
        continue;
      std::string value = c < rec_->cells.size() ? rec_->cells[c] : "";
      if (value.empty() || !wf) continue;
      int col = static_cast<int>(c) + 1;
      auto fi = wf->FindField(name);
      if (!fi) {
        bool declared_elsewhere = false;
        for (const auto& info : defs_.All()) {
          if (info.kind != definition::Kind::kWorkflow) continue;
          auto other = defs_.FindWorkflow(info.name, info.version);
          declared_elsewhere = declared_elsewhere || (other && other->FindField(name));
        }
        if (declared_elsewhere) {
          Error(col, name, "workflow " + wf->info().Label() + " has no field '" + name + "'",
                "leave the cell empty for this row, or give the row another workflow");
        }
        continue;  // an unknown column: warned about at the header
      }
      const auto& f = wf->fields()[static_cast<std::size_t>(*fi)];
      if (std::string why = CheckValue(f, org, value); !why.empty()) {
        Error(col, name, "'" + value + "' " + why);
        continue;
      }
      item.fields[name] = value;
    }
  }

  // Why `value` does not fit the field, or empty; a value that fits is made canonical (a date
  // as 2017-05-15, a time limit as 10wd, people by their ids).
  static std::string CheckValue(const definition::Field& f, const definition::Org* org,
                                std::string& value) {
    using definition::FieldType;
    switch (f.type) {
      case FieldType::kDuration: {
        auto office = ParseOfficeTimeLimit(value);
        if (!office || !ParseDeadlineSpec(office->text)) {
          return "is not a duration or a date (10wd, 2017-05-15)";
        }
        value = office->text;
        return "";
      }
      case FieldType::kDate: {
        auto d = ParseOfficeDate(value);
        if (!d) return "is not a date (2017-05-15)";
        value = FormatDate(*d);
        return "";
      }
      case FieldType::kDateTime:
        return ParseIso(value) ? "" : "is not a date-time with an offset";
      case FieldType::kNumber: {
        double d = 0;
        auto r = std::from_chars(value.data(), value.data() + value.size(), d);
        return r.ec == std::errc() && r.ptr == value.data() + value.size() ? "" : "is not a number";
      }
      case FieldType::kBool:
        return value == "true" || value == "false" ? "" : "is not true or false";
      case FieldType::kPerson:
      case FieldType::kPeople: {
        // Ids or names, separated as offices write lists: 马娟德、罗燕勇 or xs-0007, xs-0008.
        std::string rest = value;
        for (std::string_view sep : {"、", "，", "；", ";"}) {
          for (std::size_t at; (at = rest.find(sep)) != std::string::npos;) {
            rest.replace(at, sep.size(), ",");
          }
        }
        rest += ",";
        std::string ids;
        std::size_t start = 0;
        int n = 0;
        for (std::size_t comma; (comma = rest.find(',', start)) != std::string::npos;
             start = comma + 1) {
          std::string id = rest.substr(start, comma - start);
          auto b = id.find_first_not_of(' ');
          if (b == std::string::npos) continue;
          id = id.substr(b, id.find_last_not_of(' ') - b + 1);
          ++n;
          if (org && !org->FindPerson(id)) {
            std::vector<std::string> named;
            for (const auto& p : org->people()) {
              if (p.name == id) named.push_back(PersonLabel(*org, p.id));
            }
            if (named.empty()) return "names '" + id + "', not a person id of the org";
            if (named.size() > 1) {
              return "names '" + id + "', which more than one person of org " + org->info().name +
                     " is called (" + Join(named) + "); give the person's id";
            }
            for (const auto& p : org->people()) {
              if (p.name == id) id = p.id;
            }
          }
          ids += (ids.empty() ? "" : ",") + id;
        }
        if (f.type == FieldType::kPerson && n > 1) return "names more than one person";
        value = ids;
        return "";
      }
      case FieldType::kUnit:
        return !org || org->FindUnit(value) ? "" : "is not a unit id of the org";
      case FieldType::kContact:
        return value.empty() || !notify::ContactKindOf(value).empty()
                   ? ""
                   : "is neither an email address (name@example.org) nor a phone number";
      case FieldType::kChoice:
        return std::find(f.choices.begin(), f.choices.end(), value) != f.choices.end()
                   ? ""
                   : "is not one of " + Join(f.choices);
      default:
        return "";
    }
  }

  // A person field that the workflow's transitions or deadlines name as a role (`by:
  // [verifier]`, `owner: verifier`) and the row leaves empty reads as the org role of that name
  // (access.h): remembers who that is, to say so.
  void RoleFallbacks(const definition::Workflow& wf, const definition::Org& org,
                     const NewInstance& item) {
    for (const definition::Field& f : wf.fields()) {
      if (f.type != definition::FieldType::kPerson && f.type != definition::FieldType::kPeople) {
        continue;
      }
      auto it = item.fields.find(f.name);
      if ((it != item.fields.end() && !it->second.empty()) || !NamedAsRole(wf, f.name)) continue;
      // Rows of one unit have the same holders: resolved once (a ledger can have 100,000 rows).
      std::string key = org.info().name + "|" + item.unit + "|" + f.name;
      if (auto known = fallback_of_.find(key); known != fallback_of_.end()) {
        fallbacks_[known->second].items.push_back(item.id);
        continue;
      }
      definition::RolePath path;
      path.base = definition::RolePath::Base::kNamed;
      path.name = path.text = f.name;
      path.is_field = true;
      Instance inst;
      inst.record.id = item.id;
      inst.record.unit_id = item.unit;
      std::vector<std::string> ids = ResolvePeople(org, wf, inst, path);
      std::vector<std::string> people;
      for (const auto& id : ids) people.push_back(PersonLabel(org, id));
      auto same = std::find_if(fallbacks_.begin(), fallbacks_.end(), [&](const Fallback& x) {
        return x.field == f.name && x.org == org.info().name && x.people == people;
      });
      if (same == fallbacks_.end()) {
        fallbacks_.push_back({f.name,
                              org.info().name,
                              people,
                              {},
                              rec_->row,
                              Col(f.name),
                              NobodyReason(org, wf, inst, path)});
        same = fallbacks_.end() - 1;
      }
      fallback_of_[key] = static_cast<std::size_t>(same - fallbacks_.begin());
      same->items.push_back(item.id);
    }
  }

  static bool NamedAsRole(const definition::Workflow& wf, const std::string& field) {
    auto names = [&](const definition::RolePath& p) {
      return p.base == definition::RolePath::Base::kNamed && p.name == field;
    };
    for (const auto& t : wf.transitions()) {
      if (std::any_of(t.by.begin(), t.by.end(), names)) return true;
    }
    for (const auto& st : wf.states()) {
      if (st.deadline.owner && names(*st.deadline.owner)) return true;
    }
    return false;
  }

  template <typename T>
  static std::string JoinFirst(const std::vector<T>& v, std::size_t most = 5) {
    std::string out;
    for (std::size_t i = 0; i < v.size() && i < most; ++i) {
      if constexpr (std::is_same_v<T, int>) {
        out += (i ? ", " : "") + std::to_string(v[i]);
      } else {
        out += (i ? ", " : "") + v[i];
      }
    }
    if (v.size() > most) out += " and " + std::to_string(v.size() - most) + " more";
    return out;
  }

  struct Fallback {
    std::string field, org;
    std::vector<std::string> people;  // labels; empty: nobody
    std::vector<std::string> items;
    int row = 0, column = 0;  // the first row's
    std::string reason;       // why nobody, for the first row
  };

  const definition::DefinitionSet& defs_;
  const LedgerOptions& options_;
  const std::vector<std::string>& columns_;
  Diagnostics& diags_;
  std::vector<std::shared_ptr<const definition::Org>> orgs_;
  std::vector<std::string> unit_words_, workflow_names_, campaign_names_, escalation_names_;
  std::map<std::string, int> ids_;  // id -> the first row that has it
  std::set<std::string> assign_reported_, warned_campaigns_;
  bool default_reported_ = false;
  std::map<std::string, std::vector<int>> calendar_days_;  // a time limit in 天/日 -> its rows
  std::vector<Fallback> fallbacks_;
  std::map<std::string, std::size_t> fallback_of_;  // org|unit|field -> its entry in fallbacks_
  bool escalation_reported_ = false;
  const CsvRecord* rec_ = nullptr;
};

}  // namespace

namespace {
void ParseLedgerRecords(Ledger& ledger, const std::vector<CsvRecord>& records,
                        const definition::DefinitionSet& definitions, const LedgerOptions& options,
                        Diagnostics& diags);
}  // namespace

Ledger ParseLedger(std::string_view text, const definition::DefinitionSet& definitions,
                   const LedgerOptions& options, Diagnostics& diags) {
  Ledger ledger;
  const std::size_t first_diag = diags.items().size();
  std::optional<TableInput> table =
      ReadTableInput(text, {options.file, options.encoding, options.sheet}, diags);
  if (!table) return ledger;
  ledger.sheet = table->sheet;
  ParseLedgerRecords(ledger, table->records, definitions, options, diags);
  AddCellReferences(diags, first_diag, *table);
  return ledger;
}

namespace {

void ParseLedgerRecords(Ledger& ledger, const std::vector<CsvRecord>& records,
                        const definition::DefinitionSet& definitions, const LedgerOptions& options,
                        Diagnostics& diags) {
  if (records.empty()) {
    diags.Error({options.file, 1, 0}, "", "the ledger is empty",
                "the first row names the columns: " +
                    Join({std::begin(kLedgerRequiredColumns), std::end(kLedgerRequiredColumns)}));
    return;
  }
  const CsvRecord& header = records.front();
  std::vector<std::string> known(std::begin(kLedgerRequiredColumns),
                                 std::end(kLedgerRequiredColumns));
  known.insert(known.end(), {"workflow", "campaign", "escalation", "found_by"});
  for (const auto& info : definitions.All()) {
    if (info.kind != definition::Kind::kWorkflow) continue;
    for (const auto& f : definitions.FindWorkflow(info.name, info.version)->fields()) {
      if (std::find(known.begin(), known.end(), f.name) == known.end()) known.push_back(f.name);
    }
  }
  std::map<std::string, std::string, std::less<>> titles;  // a field's title -> its name
  for (const auto& info : definitions.All()) {
    if (info.kind != definition::Kind::kWorkflow) continue;
    for (const auto& f : definitions.FindWorkflow(info.name, info.version)->fields()) {
      std::string t = NormalizeHeader(f.title);
      if (auto open = t.find('('); open != std::string::npos) t = t.substr(0, open);
      if (!t.empty()) titles.emplace(t, f.name);
    }
  }
  for (std::size_t c = 0; c < header.cells.size(); ++c) {
    std::string name = ColumnName(header.cells[c], known, titles);
    SourcePos pos{options.file, header.row, static_cast<int>(c) + 1};
    if (name.empty()) {
      diags.Warning(pos, "", "column " + std::to_string(c + 1) + " has no name; it is ignored");
    } else if (std::find(ledger.columns.begin(), ledger.columns.end(), name) !=
               ledger.columns.end()) {
      diags.Error(pos, name, "the column is named twice", "remove or rename one of them");
      name.clear();
    } else if (std::find(known.begin(), known.end(), name) == known.end()) {
      diags.Warning(pos, name, "unknown column; it is ignored",
                    SuggestHint(name, known, "the columns a ledger may have: " + Join(known)));
      name.clear();
    }
    ledger.columns.push_back(name);
  }
  std::vector<std::string> missing;
  for (std::string_view r : kLedgerRequiredColumns) {
    if (std::find(ledger.columns.begin(), ledger.columns.end(), r) == ledger.columns.end()) {
      missing.emplace_back(r);
    }
  }
  if (!missing.empty()) {
    diags.Error(
        {options.file, header.row, 0}, "",
        std::string("missing required column") + (missing.size() == 1 ? " " : "s ") + Join(missing),
        "the header must name " +
            Join({std::begin(kLedgerRequiredColumns), std::end(kLedgerRequiredColumns)}));
    return;
  }
  if (!options.registrar.empty()) {
    bool found = false;
    for (const auto& org : Orgs(definitions)) found = found || org->FindPerson(options.registrar);
    if (!found) {
      diags.Error({options.file, 0, 0}, "",
                  "the registrar '" + options.registrar + "' is a person of no loaded org",
                  "give a person id from workflows/orgs/ (--as)");
      return;
    }
  }
  RowChecker checker(definitions, options, ledger.columns, diags);
  for (std::size_t i = 1; i < records.size(); ++i) {
    if (auto row = checker.Check(records[i])) ledger.rows.push_back(std::move(*row));
  }
  checker.Finish(ledger);
  if (records.size() == 1) {
    diags.Warning({options.file, header.row, 0}, "", "the ledger has a header and no rows");
  }
}

}  // namespace

std::vector<Registration> LedgerRegistrations(const Ledger& ledger, const LedgerOptions& options) {
  std::vector<Registration> out;
  out.reserve(ledger.rows.size());
  for (const LedgerRow& row : ledger.rows) {
    Registration r{row.item, {}};
    if (!row.assign_event.empty()) {
      Command c;
      c.instance_id = row.item.id;
      c.event = row.assign_event;
      c.actor = options.registrar.empty() ? kSystemActor : options.registrar;
      c.at = row.item.at;
      r.then.push_back(std::move(c));
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace rectify::engine
