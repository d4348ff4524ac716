// rectify finding add|confirm|dismiss|list: the findings of a campaign's inspection rounds, and
// the public reports confirmed into the ledger (rectify/engine/findings.h).
//
//   $ rectify finding add --campaign xinshao-2017 --round q1_inspection --unit niangxi
//       --title "..." --location 长塘村 --found-by unannounced_visit --as xs-0004
//   $ rectify finding confirm F-xinshao-2017-q1_inspection-001 --as xs-0007 [--time-limit 10wd]
//   $ rectify finding dismiss F-xinshao-2017-q1_inspection-002 --reason "..." --as xs-0007
//   $ rectify finding list --campaign xinshao-2017 [--round q1_inspection] [--format json|csv]
//   $ rectify finding confirm PR-K7QM4XPA --unit niangxi --campaign xinshao-2017
//       --evidence-text "核查笔录" --as xs-0004        (a public report being checked)
//
// A refused command prints one line saying why and exits 1; nothing is changed.
#include <boost/json.hpp>

#include "adapters/cli/cli.h"
#include "adapters/cli/engine_access.h"
#include "adapters/cli/text_table.h"
#include "rectify/engine/access.h"
#include "rectify/engine/findings.h"
#include "rectify/engine/item_view.h"

namespace rectify::cli {
namespace {

namespace json = boost::json;

struct AddOptions {
  engine::NewFinding finding;
  std::string at;
  DefinitionSources definitions;
};

struct ConfirmOptions {
  engine::Confirmation confirmation;
  std::string at;
  DefinitionSources definitions;
};

struct DismissOptions {
  std::string id, as, reason, at;
  DefinitionSources definitions;
};

struct ListOptions {
  std::string campaign, round, at;
  DefinitionSources definitions;
};

void RunAdd(Context& ctx, AddOptions o) {
  auto session = OpenEngine(ctx, o.definitions, o.at);
  if (!session) return ctx.Fail(session.error());
  const EngineSession& s = **session;
  for (Status st :
       {s.RequireCampaign(ctx, o.finding.campaign), s.RequireUnit(ctx, o.finding.unit),
        s.RequirePerson(ctx, o.finding.actor), s.RequirePerson(ctx, o.finding.responsible)}) {
    if (!st) return ctx.Fail(st.error());
  }
  o.finding.channel = "cli";
  auto f = engine::RecordFinding(*s.engine, o.finding);
  if (!f) return ctx.Fail(f.error());
  ctx.out << "recorded " << f->record.id << " (" << f->origin.found_by << ", round "
          << f->origin.round << ") at " << f->record.unit_id << ", " << f->record.state
          << " until confirmed\n";
}

void RunConfirm(Context& ctx, ConfirmOptions o) {
  auto session = OpenEngine(ctx, o.definitions, o.at);
  if (!session) return ctx.Fail(session.error());
  const EngineSession& s = **session;
  for (Status st : {s.RequirePerson(ctx, o.confirmation.actor),
                    s.RequireCampaign(ctx, o.confirmation.campaign)}) {
    if (!st) return ctx.Fail(st.error());
  }
  o.confirmation.channel = "cli";
  auto c = engine::ConfirmFinding(*s.engine, o.confirmation);
  if (!c) return ctx.Fail(c.error());
  ctx.out << c->source.record.id << ": confirmed; opened " << c->item.record.id << " ("
          << c->item.record.workflow << "@" << c->item.record.workflow_version << ") at "
          << c->item.record.unit_id << " in state " << c->item.record.state;
  auto bound = s.engine->interpreter().Bind(c->item);
  if (bound) {
    auto d = engine::ViewDeadline(bound->calendar, c->item, s.clock->Now());
    if (d.has) ctx.out << ", due " << FormatDate(d.due);
  }
  ctx.out << "\n";
}

void RunDismiss(Context& ctx, const DismissOptions& o) {
  auto session = OpenEngine(ctx, o.definitions, o.at);
  if (!session) return ctx.Fail(session.error());
  if (Status st = (*session)->RequirePerson(ctx, o.as); !st) return ctx.Fail(st.error());
  auto f = engine::DismissFinding(*(*session)->engine, o.id, o.as, o.reason, "cli");
  if (!f) return ctx.Fail(f.error());
  ctx.out << f->record.id << ": dismissed (" << o.reason << ")\n";
}

void RunList(Context& ctx, const ListOptions& o) {
  auto session = OpenEngine(ctx, o.definitions, o.at, Access::kReadOnly);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  if (Status st = s.RequireCampaign(ctx, o.campaign); !st) return ctx.Fail(st.error());
  auto campaign = s.definitions->FindCampaign(o.campaign);
  if (!o.round.empty()) {
    if (auto r = engine::FindRound(*campaign, o.round); !r) return ctx.Fail(r.error());
  }
  auto found = engine::ListFindings(*s.store, o.campaign, o.round);
  if (!found) return ctx.Fail(found.error());
  const Calendar& cal = campaign->calendar();
  Timestamp now = s.clock->Now();
  struct Line {
    std::string id, round, unit, found_by, found_on, recorded_by, state, title, item, item_state,
        due;
    bool overdue = false;
  };
  std::vector<Line> lines;
  for (const auto& v : *found) {
    const engine::Instance& f = v.finding;
    Line l{f.record.id,
           f.origin.round,
           f.record.unit_id,
           f.origin.found_by,
           FormatDate(cal.DateOf(f.origin.found_at)),
           f.origin.recorded_by,
           f.record.state,
           f.title,
           f.origin.opened};
    if (v.item) {
      l.item_state = v.item->record.state;
      auto bound = s.engine->interpreter().Bind(*v.item);
      if (bound) {
        auto d = engine::ViewDeadline(bound->calendar, *v.item, now);
        if (d.has) {
          l.due = FormatDate(d.due);
          l.overdue = d.overdue;
        }
      }
    }
    lines.push_back(std::move(l));
  }
  if (ctx.format() == Format::kJson || ctx.format() == Format::kJsonl) {
    json::array a;
    for (const auto& l : lines) {
      json::object row{{"id", l.id},
                       {"round", l.round},
                       {"unit", l.unit},
                       {"found_by", l.found_by},
                       {"found_on", l.found_on},
                       {"recorded_by", l.recorded_by},
                       {"state", l.state},
                       {"title", l.title}};
      if (!l.item.empty()) {
        row["item"] = json::object{
            {"id", l.item}, {"state", l.item_state}, {"due", l.due}, {"overdue", l.overdue}};
      } else {
        row["item"] = nullptr;
      }
      if (ctx.format() == Format::kJsonl) {
        ctx.out << json::serialize(row) << "\n";
      } else {
        a.push_back(std::move(row));
      }
    }
    if (ctx.format() == Format::kJson) ctx.out << json::serialize(a) << "\n";
    return;
  }
  if (ctx.format() == Format::kCsv) {
    auto cell = [](const std::string& t) {
      if (t.find_first_of(",\"\n") == std::string::npos) return t;
      std::string q = "\"";
      for (char c : t) q += c == '"' ? std::string("\"\"") : std::string(1, c);
      return q + "\"";
    };
    ctx.out << kCsvBom
            << "id,round,unit,found_by,found_on,recorded_by,state,title,item,item_state,due,"
               "overdue\n";
    for (const auto& l : lines) {
      ctx.out << cell(l.id) << "," << cell(l.round) << "," << cell(l.unit) << ","
              << cell(l.found_by) << "," << l.found_on << "," << cell(l.recorded_by) << ","
              << cell(l.state) << "," << cell(l.title) << "," << cell(l.item) << ","
              << cell(l.item_state) << "," << l.due << "," << (l.overdue ? "yes" : "") << "\n";
    }
    return;
  }
  TextTable t({"finding", "unit", "found by", "found on", "state", "item", "item state", "due"});
  for (const auto& l : lines) {
    t.Add({l.id, engine::UnitLabel(campaign->org(), l.unit), l.found_by, l.found_on, l.state,
           l.item.empty() ? "-" : l.item, l.item_state.empty() ? "-" : l.item_state,
           l.due.empty() ? "-" : l.due + (l.overdue ? " (overdue)" : "")});
  }
  ctx.out << t.Format();
  ctx.out << lines.size() << " finding" << (lines.size() == 1 ? "" : "s") << "\n";
}

}  // namespace

void RegisterFinding(CLI::App& app, Context& ctx) {
  auto* finding = app.add_subcommand(
      "finding", "Record the findings of an inspection round; confirm them into the ledger");
  finding->require_subcommand(1);

  auto add_opts = std::make_shared<AddOptions>();
  auto* add = finding->add_subcommand("add", "Record a draft finding of an inspection round");
  engine::NewFinding& f = add_opts->finding;
  add->add_option("--campaign", f.campaign, "The campaign")->required();
  add->add_option("--round", f.round, "The inspection round (an inspection checkpoint's id)")
      ->required();
  add->add_option("--unit", f.unit, "The unit where the problem is")->required();
  add->add_option("--title", f.title, "What was found")->required();
  add->add_option("--location", f.location, "Where exactly (a village, a household, a project)");
  add->add_option("--found-by", f.found_by,
                  "How it was found: inspection, open_visit, unannounced_visit, data_comparison, "
                  "audit (default: the round's found_by, else inspection)");
  add->add_option("--time-limit", f.time_limit,
                  "The item's own time limit (10wd or a date); default: the campaign's");
  add->add_option("--responsible", f.responsible, "The responsible person's id, when known");
  add->add_option("--special-action", f.special_action, "A special action of the campaign");
  add->add_option("--evidence-text", f.evidence, "Evidence as a short text (repeatable)");
  add->add_option("--as", f.actor, "The inspector recording it (a person id)")->required();
  AddEngineOptions(add, add_opts->definitions, add_opts->at);
  add->callback([&ctx, add_opts] { RunAdd(ctx, *add_opts); });

  auto confirm_opts = std::make_shared<ConfirmOptions>();
  auto* confirm = finding->add_subcommand(
      "confirm", "Confirm a finding (or a public report) and open its rectification item");
  engine::Confirmation& c = confirm_opts->confirmation;
  confirm->add_option("id", c.source, "The finding's id (or a public report's)")->required();
  confirm->add_option("--as", c.actor, "Who confirms (the role the findings workflow names)")
      ->required();
  confirm->add_option("--item", c.item_id, "The item's id (default: the finding's, P- for F-)");
  confirm->add_option("--time-limit", c.time_limit, "The item's time limit, over the finding's");
  confirm->add_option("--responsible", c.responsible, "The responsible person's id");
  confirm->add_option("--unit", c.unit, "A public report: the responsible unit to open it at");
  confirm->add_option("--campaign", c.campaign, "A public report: the campaign of its item");
  confirm->add_option("--evidence-text", c.evidence,
                      "A public report: what the check found (its confirm needs evidence)");
  AddEngineOptions(confirm, confirm_opts->definitions, confirm_opts->at);
  confirm->callback([&ctx, confirm_opts] { RunConfirm(ctx, *confirm_opts); });

  auto dismiss_opts = std::make_shared<DismissOptions>();
  auto* dismiss = finding->add_subcommand("dismiss", "Dismiss a draft finding, with the reason");
  dismiss->add_option("id", dismiss_opts->id, "The finding's id")->required();
  dismiss->add_option("--reason", dismiss_opts->reason, "Why it is dismissed")->required();
  dismiss->add_option("--as", dismiss_opts->as, "Who dismisses it")->required();
  AddEngineOptions(dismiss, dismiss_opts->definitions, dismiss_opts->at);
  dismiss->callback([&ctx, dismiss_opts] { RunDismiss(ctx, *dismiss_opts); });

  auto list_opts = std::make_shared<ListOptions>();
  auto* list = finding->add_subcommand(
      "list", "A campaign's findings, the items they opened and where those stand");
  list->add_option("--campaign", list_opts->campaign, "The campaign")->required();
  list->add_option("--round", list_opts->round, "Only this inspection round");
  AddEngineOptions(list, list_opts->definitions, list_opts->at);
  SupportFormats(ctx, list, {"json", "jsonl", "csv"});
  list->callback([&ctx, list_opts] { RunList(ctx, *list_opts); });
}

}  // namespace rectify::cli
