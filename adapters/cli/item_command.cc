// rectify item add|act|measure|show: register a problem, act on it as a person, take or end a
// measure by judgment, and see where it stands.
//
//   $ rectify item add --id Q-1 --workflow rectification-item --unit niangxi
//       --responsible xs-0012 --title "..." --time-limit 10wd --as xs-0009
//   $ rectify item act Q-1 assign --as xs-0003
//   $ rectify item act Q-1 submit --as xs-0012 --evidence photos.zip
//   $ rectify item measure take JKH-1 --measure suspend_payment --as jkh-07 --reason "..."
//   $ rectify item show Q-1 [--format json]
//
// A refused command prints one line saying why (who may, what is missing) and exits 1; nothing
// is changed.
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/cli/cli.h"
#include "adapters/cli/database_access.h"
#include "adapters/cli/engine_access.h"
#include "adapters/cli/evidence_file.h"
#include "adapters/store/soci/soci_outbox_store.h"
#include "rectify/definition/canonical.h"
#include "rectify/engine/access.h"
#include "rectify/engine/campaign_items.h"
#include "rectify/engine/findings.h"
#include "rectify/engine/item_view.h"
#include "rectify/engine/measures.h"

namespace rectify::cli {

namespace {

namespace json = boost::json;

struct AddOptions {
  std::string id, workflow, escalation, unit, responsible, title, time_limit, org, campaign, as, at;
  DefinitionSources definitions;
  std::vector<std::string> sets;
};

struct ActOptions {
  std::string id, event, as, reason, at;
  DefinitionSources definitions;
  std::vector<std::string> evidence, evidence_texts, sets;
};

Result<std::map<std::string, std::string>> ParseSets(const std::vector<std::string>& sets) {
  std::map<std::string, std::string> out;
  for (const std::string& s : sets) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error::BadInput("--set '" + s + "': write NAME=VALUE, e.g. --set measures=\"...\"");
    }
    out[s.substr(0, eq)] = s.substr(eq + 1);
  }
  return out;
}

// The workflow and org of an existing item must be loaded to act on it or show it.
Status RequireItemWorkflow(const Context& ctx, EngineSession& s, const std::string& id) {
  auto record = s.store->LoadInstance(id);
  if (!record) return OkStatus();  // the command says the item does not exist
  auto inst = engine::Instance::FromRecord(*record);
  if (!inst) return OkStatus();
  std::string wf = record->workflow + "@" + std::to_string(record->workflow_version);
  if (!s.definitions->FindWorkflow(record->workflow, static_cast<int>(record->workflow_version))) {
    return NotLoaded(ctx, s.sources, "workflow '" + wf + "' of item " + id);
  }
  if (!inst->org.empty() && !s.definitions->FindOrg(inst->org, inst->org_version)) {
    return NotLoaded(
        ctx, s.sources,
        "org '" + inst->org + "@" + std::to_string(inst->org_version) + "' of item " + id);
  }
  return OkStatus();
}

void RunAdd(Context& ctx, const AddOptions& o) {
  auto fields = ParseSets(o.sets);
  if (!fields) return ctx.Fail(fields.error());
  if (!o.time_limit.empty()) (*fields)["time_limit"] = o.time_limit;
  auto session = OpenEngine(ctx, o.definitions, o.at);
  if (!session) return ctx.Fail(session.error());
  const EngineSession& s = **session;
  for (Status st : {s.RequireCampaign(ctx, o.campaign), s.RequireWorkflow(ctx, o.workflow),
                    s.RequireUnit(ctx, o.unit), s.RequirePerson(ctx, o.responsible),
                    s.RequirePerson(ctx, o.as)}) {
    if (!st) return ctx.Fail(st.error());
  }
  engine::NewInstance req;
  req.id = o.id;
  req.workflow = o.workflow;
  req.org = o.org;
  req.campaign = o.campaign;
  req.escalation = o.escalation;
  req.unit = o.unit;
  req.responsible = o.responsible;
  req.title = o.title;
  req.actor = o.as.empty() ? engine::kSystemActor : o.as;
  req.fields = *fields;
  auto inst = (*session)->engine->Register(req);
  if (!inst) return ctx.Fail(inst.error());
  ctx.out << "registered " << inst->record.id << " (" << inst->record.workflow << "@"
          << inst->record.workflow_version << ") in state " << inst->record.state;
  if (!inst->escalation.empty()) ctx.out << ", escalating by " << inst->escalation;
  ctx.out << "\n";
}

void RunAct(Context& ctx, const ActOptions& o) {
  auto fields = ParseSets(o.sets);
  if (!fields) return ctx.Fail(fields.error());
  engine::Command cmd;
  cmd.instance_id = o.id;
  cmd.event = o.event;
  cmd.actor = o.as;
  cmd.reason = o.reason;
  cmd.fields = *fields;
  cmd.channel = "cli";
  for (const auto& path : o.evidence) {
    auto text = EvidenceFile(path);
    if (!text) return ctx.Fail(text.error());
    cmd.evidence.push_back(*text);
  }
  for (const auto& t : o.evidence_texts) cmd.evidence.push_back(t);
  // Opened once the evidence is checked: a refused path changes nothing.
  auto session = OpenEngine(ctx, o.definitions, o.at);
  if (!session) return ctx.Fail(session.error());
  if (Status st = (*session)->RequirePerson(ctx, o.as); !st) return ctx.Fail(st.error());
  if (Status st = RequireItemWorkflow(ctx, **session, o.id); !st) return ctx.Fail(st.error());
  auto inst = (*session)->engine->Act(cmd);
  if (!inst) return ctx.Fail(inst.error());
  ctx.out << inst->record.id << ": " << o.event << " -> " << inst->record.state;
  if (const engine::StateClock* c = inst->CurrentClock()) {
    auto wf = (*session)->definitions->FindWorkflow(
        inst->record.workflow, static_cast<int>(inst->record.workflow_version));
    const Calendar* cal =
        wf ? engine::ItemCalendar(*(*session)->definitions, *wf, inst->record.campaign) : nullptr;
    if (cal) {
      DeadlineClock dc(*cal, c->clock);
      auto d = dc.Deadline((*session)->clock->Now());
      if (d) {
        ctx.out << " (due " << FormatDate(DeadlineDay(*cal, *d))
                << (c->clock.phase == ClockPhase::kPaused ? ", clock paused" : "") << ")";
      }
    }
  }
  ctx.out << "\n";
}

// The item's notifications with their route and receipt: whether each person was reached
// (rectify/notify/receipt.h). Read on a connection of their own (the outbox store's).
struct ItemNotification {
  OutboxRecord row;
  notify::DeliveryReceipt receipt;
};
Result<std::vector<ItemNotification>> NotificationsOf(const Context& ctx, const std::string& id) {
  auto opened = OpenDatabase(ctx, false);
  if (!opened) return opened.error();
  store_soci::SociOutboxStore outbox(std::move(opened->db));
  notify::OutboxQuery q;
  q.instance_id = id;
  auto rows = outbox.List(q);
  if (!rows) return rows.error();
  std::vector<std::int64_t> ids;
  for (const auto& r : *rows) ids.push_back(r.id);
  auto receipts = outbox.ReceiptsOf(ids);
  if (!receipts) return receipts.error();
  std::vector<ItemNotification> out;
  for (auto& r : *rows) {
    std::int64_t row_id = r.id;
    out.push_back({std::move(r), (*receipts)[row_id]});
  }
  return out;
}

struct MeasureOptions {
  std::string id, measure, as, reason, at;
  DefinitionSources definitions;
};

// `item measure take|end`: a measure by judgment (measures.h), with its reason, as a person.
void RunMeasure(Context& ctx, const MeasureOptions& o, bool take) {
  engine::Command cmd;
  cmd.instance_id = o.id;
  cmd.event = take ? engine::kTakeMeasure : engine::kEndMeasure;
  cmd.measure = o.measure;
  cmd.actor = o.as;
  cmd.reason = o.reason;
  cmd.channel = "cli";
  auto session = OpenEngine(ctx, o.definitions, o.at);
  if (!session) return ctx.Fail(session.error());
  if (Status st = (*session)->RequirePerson(ctx, o.as); !st) return ctx.Fail(st.error());
  if (Status st = RequireItemWorkflow(ctx, **session, o.id); !st) return ctx.Fail(st.error());
  auto inst = (*session)->engine->Act(cmd);
  if (!inst) return ctx.Fail(inst.error());
  auto bound = (*session)->engine->interpreter().Bind(*inst);
  if (!bound) return ctx.Fail(bound.error());
  ctx.out << inst->record.id << ": ";
  if (take) {
    ctx.out << "took " << o.measure << ", escalation level " << inst->EscalationLevel() << "\n";
  } else {
    ctx.out << "ended " << o.measure << "\n";
  }
  // What the item now shows of the measure.
  for (auto it = inst->measures.rbegin(); it != inst->measures.rend(); ++it) {
    if (it->step_id == o.measure || it->measure == o.measure) {
      ctx.out << "  " << engine::DescribeMeasure(*bound->org, *it, bound->calendar) << "\n";
      break;
    }
  }
}

void RunShow(Context& ctx, const std::string& id, const DefinitionSources& definitions,
             const std::string& at) {
  auto session = OpenEngine(ctx, definitions, at, Access::kReadOnly);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  if (Status st = RequireItemWorkflow(ctx, s, id); !st) return ctx.Fail(st.error());
  auto inst = s.engine->Load(id);
  if (!inst) return ctx.Fail(inst.error());
  auto bound = s.engine->interpreter().Bind(*inst);
  if (!bound) return ctx.Fail(bound.error());
  const auto& org = *bound->org;
  const Calendar* cal = bound->calendar;
  Timestamp now = s.clock->Now();
  auto timers = s.store->TimersOf(id);
  if (!timers) return ctx.Fail(timers.error());
  auto audit = s.store->AuditOf(id);
  if (!audit) return ctx.Fail(audit.error());
  auto notifications = NotificationsOf(ctx, id);
  if (!notifications) return ctx.Fail(notifications.error());

  json::object deadline_json;
  std::string deadline_text = "none";
  if (const engine::StateClock* c = inst->CurrentClock(); c && cal) {
    DeadlineClock dc(*cal, c->clock);
    auto d = dc.Deadline(now);
    if (d) {
      Date day = DeadlineDay(*cal, *d);
      deadline_json["due"] = FormatDate(day);
      deadline_json["ends_at"] = cal->FormatLocal(*d);
      deadline_json["clock"] = std::string(ClockPhaseName(c->clock.phase));
      bool overdue = dc.IsOverdue(now);
      deadline_json["overdue"] = overdue;
      deadline_text = FormatDate(day);
      if (overdue) {
        int days = engine::CountWorkdays(*cal, day, cal->DateOf(now));
        deadline_json["working_days_overdue"] = days;
        deadline_text +=
            ", OVERDUE by " + std::to_string(days) + " working day" + (days == 1 ? "" : "s");
      } else {
        int days = engine::CountWorkdays(*cal, cal->DateOf(now), day);
        deadline_json["working_days_left"] = days;
        deadline_text +=
            ", " + std::to_string(days) + " working day" + (days == 1 ? "" : "s") + " left";
      }
      if (c->clock.phase == ClockPhase::kPaused) deadline_text += " (clock paused)";
    }
  }
  auto local = [&](Timestamp t) { return cal ? cal->FormatLocal(t) : FormatIso(t); };

  const auto& wf = *bound->workflow;
  const auto& state_def = wf.state(*wf.FindState(inst->record.state));
  // The chain the item's escalating states run: recorded at registration, else the workflow's.
  std::string chain_text = "none";
  for (const auto& st : wf.states()) {
    if (const auto* chain = bound->OverdueChain(st)) {
      chain_text = chain->info().name + "@" + std::to_string(chain->info().version) + " (" +
                   chain->info().title + "), when " + st.id + " is overdue" +
                   (inst->escalation.empty() ? std::string(", the workflow's")
                                             : std::string(", recorded at registration"));
      break;
    }
  }
  if (ctx.format() == Format::kJson || ctx.format() == Format::kJsonl) {
    json::object o;
    o["id"] = inst->record.id;
    o["workflow"] = inst->record.workflow;
    o["workflow_version"] = inst->record.workflow_version;
    o["campaign"] = inst->record.campaign;
    o["unit"] = inst->record.unit_id;
    o["title"] = inst->title;
    o["responsible"] = inst->responsible;
    o["state"] = inst->record.state;
    o["version"] = inst->record.version;
    o["deadline"] = deadline_json;
    o["escalation_level"] = inst->EscalationLevel();
    if (const auto* chain = bound->OverdueChain(state_def)) {
      o["escalation_chain"] = chain->info().name + "@" + std::to_string(chain->info().version);
    }
    o["escalation_measure"] = inst->EscalationMeasure();
    o["payment_suspended"] = inst->payment_suspended;
    if (!inst->origin.empty()) {
      const engine::Origin& g = inst->origin;
      json::object origin{
          {"found_by", g.found_by}, {"campaign", g.campaign},       {"round", g.round},
          {"source", g.source},     {"recorded_by", g.recorded_by}, {"opened", g.opened}};
      if (g.found_at != Timestamp{}) origin["found_at"] = local(g.found_at);
      o["origin"] = origin;
    }
    json::array measures;
    for (const auto& m : inst->measures) measures.push_back(engine::MeasureJson(org, m, cal));
    o["measures"] = std::move(measures);
    json::array bulletins;
    for (const auto& b : inst->bulletins) bulletins.emplace_back(b);
    o["bulletins"] = bulletins;
    double score = 0;
    for (const auto& d : inst->deductions) score += d.points;
    o["score"] = score;
    json::array tj;
    for (const auto& t : *timers) {
      tj.push_back(json::object{{"name", t.key.name},
                                {"generation", t.key.generation},
                                {"due", local(t.due_at)},
                                {"state", std::string(TimerStateName(t.state))}});
    }
    o["timers"] = tj;
    json::array schedule;
    for (const auto& t : inst->timers) {
      schedule.push_back(json::object{{"name", t.name},
                                      {"generation", t.generation},
                                      {"due", local(t.due)},
                                      {"armed", t.armed}});
    }
    o["schedule"] = schedule;
    json::array aj;
    for (const auto& a : *audit) {
      aj.push_back(json::object{{"seq", a.seq},
                                {"at", local(a.at)},
                                {"actor", a.actor},
                                {"event", a.event},
                                {"from", a.from_state},
                                {"to", a.to_state},
                                {"reason", a.reason},
                                {"data", json::parse(a.data_json)}});
    }
    o["audit"] = aj;
    json::array nj;
    for (const auto& n : *notifications) {
      nj.push_back(json::object{
          {"id", n.row.id},
          {"template", n.row.template_name},
          {"recipient", n.row.recipient},
          {"route", n.row.channel},
          {"state", OutboxStateName(n.row.state)},
          {"receipt", std::string(notify::ReceiptStateName(n.receipt.state))},
          {"receipt_code", n.receipt.code},
          {"receipt_detail", n.receipt.detail},
          {"receipt_at", n.receipt.at ? json::value(local(*n.receipt.at)) : json::value(nullptr)}});
    }
    o["notifications"] = nj;
    ctx.out << json::serialize(o) << "\n";
    return;
  }
  const auto& state = state_def;
  ctx.out << "item:         " << inst->record.id << " (" << wf.info().Label() << ")\n";
  ctx.out << "title:        " << inst->title << "\n";
  ctx.out << "unit:         " << engine::UnitLabel(org, inst->record.unit_id) << "\n";
  if (!inst->responsible.empty()) {
    ctx.out << "responsible:  " << engine::PersonLabel(org, inst->responsible) << "\n";
  }
  if (!inst->owner.empty())
    ctx.out << "owner:        " << engine::PersonLabel(org, inst->owner) << "\n";
  if (!inst->parent.empty()) ctx.out << "opened by:    " << inst->parent << "\n";
  if (std::string found = engine::DescribeOrigin(inst->origin, org, cal); !found.empty()) {
    ctx.out << "found:        " << found << "\n";
  }
  if (!inst->origin.opened.empty()) ctx.out << "opened item:  " << inst->origin.opened << "\n";
  ctx.out << "state:        " << state.id << (state.title.empty() ? "" : " (" + state.title + ")")
          << "\n";
  ctx.out << "deadline:     " << deadline_text << "\n";
  // The measure as the letters name it: "level 3, suggestion letter (建议函)".
  ctx.out << "chain:        " << chain_text << "\n";
  ctx.out << "escalation:   level " << inst->EscalationLevel();
  if (std::string m = inst->EscalationMeasure(); !m.empty()) {
    auto measure = definition::ParseMeasure(m);
    ctx.out << ", " << (measure ? std::string(definition::MeasureLabel(*measure)) : m);
  }
  ctx.out << "\n";
  std::string flags;
  if (inst->payment_suspended) flags += "payment suspended; ";
  for (const auto& b : inst->bulletins)
    flags += "on the bulletin of " + engine::UnitLabel(org, b) + "; ";
  double score = 0;
  for (const auto& d : inst->deductions) score += d.points;
  if (score != 0) {
    std::ostringstream os;
    os << "score " << score << "; ";
    flags += os.str();
  }
  ctx.out << "flags:        " << (flags.empty() ? "none" : flags.substr(0, flags.size() - 2))
          << "\n";
  // Measures that last (payment suspended), while in force, then as history.
  for (const auto& m : inst->measures) {
    ctx.out << (m.in_force() ? "in force:     " : "ended:        ")
            << engine::DescribeMeasure(org, m, cal) << "\n";
  }
  // A reminder or letter of this state that reached nobody: an error, shown until it moves on.
  for (const auto& a : *audit) {
    if (a.event == "no_recipient" && a.to_state == inst->record.state) {
      ctx.out << "ERROR:        " << local(a.at) << " " << a.reason << "\n";
    }
  }
  // What the item will do next: its whole schedule (only the front of it is armed in the store).
  ctx.out << "timers:\n";
  for (const auto& t : inst->timers) {
    ctx.out << "  " << local(t.due) << "  " << t.name << " (generation " << t.generation << ")\n";
  }
  // Each notification, its route and whether it reached the person.
  ctx.out << "notifications:\n";
  for (const auto& n : *notifications) {
    std::string receipt(notify::ReceiptStateName(n.receipt.state));
    if (!n.receipt.code.empty()) receipt += " (" + n.receipt.code + ")";
    ctx.out << "  " << local(n.row.created_at) << "  " << n.row.template_name << " to "
            << (org.FindPerson(n.row.recipient) ? engine::PersonLabel(org, n.row.recipient)
                                                : n.row.recipient)
            << " via " << n.row.channel << ": " << OutboxStateName(n.row.state) << ", receipt "
            << receipt << "\n";
  }
  ctx.out << "audit:\n";
  for (const auto& a : *audit) {
    ctx.out << "  " << a.seq << "  " << local(a.at) << "  " << a.actor << "  " << a.event << "  "
            << (a.from_state.empty() ? "-" : a.from_state) << " -> " << a.to_state;
    if (!a.reason.empty()) ctx.out << "  \"" << a.reason << "\"";
    ctx.out << "\n";
  }
}

}  // namespace

void RegisterItem(CLI::App& app, Context& ctx) {
  auto* item = app.add_subcommand("item", "Register problems and act on them");
  item->require_subcommand(1);

  auto add_opts = std::make_shared<AddOptions>();
  auto* add = item->add_subcommand("add", "Register a problem (an instance of a workflow)");
  add->add_option("--id", add_opts->id, "The item's id, unique (e.g. XS-2017-001)")->required();
  add->add_option("--workflow", add_opts->workflow,
                  "The workflow it runs (default: the campaign's items.workflow, else "
                  "rectification-item)");
  add->add_option("--escalation", add_opts->escalation,
                  "The escalation chain its overdue states run (default: the campaign's "
                  "items.escalation, else each state's overdue: chain)");
  add->add_option("--unit", add_opts->unit, "The responsible unit's id")->required();
  add->add_option("--responsible", add_opts->responsible, "The responsible person's id");
  add->add_option("--title", add_opts->title, "What the problem is")->required();
  add->add_option("--time-limit", add_opts->time_limit,
                  "The time limit: a duration (10wd, 15d) or a date (2017-05-15); default: the "
                  "campaign's items.time_limit");
  add->add_option("--org", add_opts->org, "The org tree (default: the one that has --unit)");
  add->add_option("--campaign", add_opts->campaign, "The campaign it belongs to");
  add->add_option("--as", add_opts->as, "Who registers it (a person id)");
  add->add_option("--set", add_opts->sets, "A workflow field, NAME=VALUE (repeatable)");
  AddEngineOptions(add, add_opts->definitions, add_opts->at);
  add->callback([&ctx, add_opts] { RunAdd(ctx, *add_opts); });

  auto act_opts = std::make_shared<ActOptions>();
  auto* act = item->add_subcommand("act", "Take an event on an item as a person");
  act->add_option("id", act_opts->id, "The item's id")->required();
  act->add_option("event", act_opts->event, "The event (assign, submit, extend, ...; or sign)")
      ->required();
  act->add_option("--as", act_opts->as, "Who acts (a person id)")->required();
  act->add_option("--reason", act_opts->reason, "Why (some events need one)");
  act->add_option("--evidence", act_opts->evidence,
                  "Evidence: a file, recorded by name, size and SHA-256 (repeatable); a path "
                  "that is no file is refused");
  act->add_option("--evidence-text", act_opts->evidence_texts,
                  "Evidence as a short text, recorded as written (repeatable)");
  act->add_option("--set", act_opts->sets, "A workflow field, NAME=VALUE (repeatable)");
  AddEngineOptions(act, act_opts->definitions, act_opts->at);
  act->callback([&ctx, act_opts] { RunAct(ctx, *act_opts); });

  auto* measure = item->add_subcommand(
      "measure", "Take a measure of the item's escalation chain by judgment, or end one");
  measure->require_subcommand(1);
  for (bool take : {true, false}) {
    auto opts = std::make_shared<MeasureOptions>();
    auto* sub = measure->add_subcommand(
        take ? "take" : "end",
        take ? "Take a step of the chain that the chain lets your role take by judgment"
             : "End a measure in force (payment resumed), as the chain lets your role");
    sub->add_option("id", opts->id, "The item's id")->required();
    sub->add_option("--measure", opts->measure,
                    "The chain's step id or its measure (suspend_payment, warning_interview)")
        ->required();
    sub->add_option("--as", opts->as, "Who decides (a person id)")->required();
    sub->add_option("--reason", opts->reason, "Why (required; recorded in the audit)")->required();
    AddEngineOptions(sub, opts->definitions, opts->at);
    sub->callback([&ctx, opts, take] { RunMeasure(ctx, *opts, take); });
  }

  auto show_id = std::make_shared<std::string>();
  auto show_defs = std::make_shared<DefinitionSources>();
  auto show_at = std::make_shared<std::string>();
  auto* show = item->add_subcommand(
      "show", "Show an item: state, deadline, days left or overdue, escalation, timers, audit");
  show->add_option("id", *show_id, "The item's id")->required();
  AddEngineOptions(show, *show_defs, *show_at);
  SupportFormats(ctx, show, {"json", "jsonl"});
  show->callback(
      [&ctx, show_id, show_defs, show_at] { RunShow(ctx, *show_id, *show_defs, *show_at); });
}

}  // namespace rectify::cli
