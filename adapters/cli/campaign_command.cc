// rectify campaign start NAME [--at DATE_OR_INSTANT]
// rectify campaign show NAME [--format text|json]
//
// `start` starts a campaign run (engine/include/rectify/engine/campaign.h): it pins the versions
// of the definitions the campaign uses and arms its dated timers; `rectify tick` or `rectify
// serve` then fire them. `show` prints the run: its state, the pinned versions, the phase it is
// in, what falls due next, its instances by state and the last ranking.
#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "adapters/cli/cli.h"
#include "adapters/cli/engine_access.h"
#include "rectify/engine/campaign.h"
#include "rectify/engine/instance_pages.h"
#include "rectify/engine/report_table.h"

namespace rectify::cli {

namespace {

namespace json = boost::json;

void RunStart(Context& ctx, const std::string& name, const DefinitionSources& definitions,
              const std::string& at) {
  bool date = !at.empty() && ParseDate(at).ok();
  auto session = OpenEngine(ctx, definitions, date ? "" : at);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  if (Status st = s.RequireCampaign(ctx, name); !st) return ctx.Fail(st.error());
  auto campaign = s.definitions->FindCampaign(name);
  std::unique_ptr<VirtualClock> clock;
  std::unique_ptr<engine::Engine> engine;
  engine::Engine* e = s.engine.get();
  if (date && campaign) {
    clock = std::make_unique<VirtualClock>(campaign->calendar().StartOfDay(*ParseDate(at)));
    engine = std::make_unique<engine::Engine>(*s.store, *clock, s.definitions);
    e = engine.get();
  }
  auto run = engine::StartCampaign(*e, name, 0, {.actor = "", .channel = "cli", .request_id = ""});
  if (!run) return ctx.Fail(run.error());
  ctx.out << "started campaign " << name << " (" << run->record.state << "), " << run->timers.size()
          << " dated events armed; pinned " << run->Field("pins") << "\n";
  // What falls due first, as `campaign show` lists it: the run keeps its timers in the order it
  // planned them (phases before checkpoints), not in time order.
  std::vector<engine::PendingTimer> pending = run->timers;
  std::stable_sort(pending.begin(), pending.end(),
                   [](const auto& a, const auto& b) { return a.due < b.due; });
  if (!pending.empty()) {
    const Calendar* cal = campaign ? &campaign->calendar() : nullptr;
    ctx.out << "next: " << pending.front().name << " at "
            << (cal ? cal->FormatLocal(pending.front().due) : FormatIso(pending.front().due))
            << "\n";
  }
}

void RunShow(Context& ctx, const std::string& name, const DefinitionSources& definitions) {
  auto session = OpenEngine(ctx, definitions, "", Access::kReadOnly);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  if (Status st = s.RequireCampaign(ctx, name); !st) return ctx.Fail(st.error());
  auto run = s.engine->Load(engine::CampaignInstanceId(name));
  if (!run) {
    return ctx.Fail(Error::NotFound(
        "campaign " + name + " has not been started; start it with 'rectify campaign start " +
        name + "'"));
  }
  auto campaign = s.definitions->FindCampaign(name, static_cast<int>(run->record.workflow_version));
  const Calendar* cal = campaign ? &campaign->calendar() : nullptr;
  auto local = [&](Timestamp t) { return cal ? cal->FormatLocal(t) : FormatIso(t); };
  std::map<std::string, int> by_state;
  InstanceFilter filter;
  filter.campaign = name;
  std::int64_t total = 0;
  Status listed = engine::ForEachInstancePage(
      *s.store, filter, [&](std::vector<InstanceRecord>& page) -> Result<bool> {
        for (const auto& r : page) ++by_state[r.workflow + " " + r.state];
        total += static_cast<std::int64_t>(page.size());
        return true;
      });
  if (!listed) return ctx.Fail(listed.error());
  json::object last_ranking;
  if (auto last = engine::LastAssessment(*s.store, name); last && *last) last_ranking = **last;
  // What falls due next, in time order (the run keeps its timers in the order it armed them).
  std::vector<engine::PendingTimer> pending = run->timers;
  std::stable_sort(pending.begin(), pending.end(),
                   [](const auto& a, const auto& b) { return a.due < b.due; });
  // A JSON value as a person reads it: strings without their quotes.
  auto text = [](const json::value& v) {
    return v.is_string() ? std::string(v.as_string()) : json::serialize(v);
  };
  if (ctx.format() == Format::kJson) {
    json::object o;
    o["campaign"] = name;
    o["state"] = run->record.state;
    o["phase"] = run->Field("phase");
    o["started_at"] = run->Field("started_at");
    o["pins"] = json::parse(run->Field("pins"));
    json::array next;
    for (const auto& t : pending)
      next.push_back(json::object{{"timer", t.name}, {"at", local(t.due)}});
    o["pending"] = std::move(next);
    json::object counts;
    for (const auto& [k, n] : by_state) counts[k] = n;
    o["instances"] = std::move(counts);
    if (!last_ranking.empty()) o["last_assessment"] = last_ranking;
    ctx.out << json::serialize(o) << "\n";
    return;
  }
  ctx.out << "campaign " << name << ": " << run->title << "\n"
          << "  state     " << run->record.state << " (started " << run->Field("started_at")
          << ")\n"
          << "  phase     " << (run->Field("phase").empty() ? "-" : run->Field("phase")) << "\n"
          << "  pinned    " << run->Field("pins") << "\n";
  ctx.out << "  next      ";
  std::size_t shown = 0;
  for (const auto& t : pending) {
    if (shown++ == 5) break;
    ctx.out << (shown == 1 ? "" : "            ") << local(t.due) << "  " << t.name << "\n";
  }
  if (pending.empty()) ctx.out << "nothing\n";
  ctx.out << "  instances " << total << "\n";
  for (const auto& [k, n] : by_state) ctx.out << "            " << n << "  " << k << "\n";
  if (!last_ranking.empty()) {
    ctx.out << "  last assessment " << text(last_ranking["period"]) << ":\n";
    for (const auto& v : last_ranking["ranking"].as_array()) {
      const auto& r = v.as_object();
      ctx.out << "    " << text(r.at("rank")) << ". " << text(r.at("name")) << "  "
              << text(r.at("score")) << (r.contains("vetoes") ? "  一票否决" : "") << "\n";
    }
  }
}

}  // namespace

void RegisterCampaign(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("campaign", "Start a campaign run and see where it stands");
  cmd->require_subcommand(1);
  auto definitions = std::make_shared<DefinitionSources>();
  auto name = std::make_shared<std::string>();
  auto at = std::make_shared<std::string>();
  auto* start = cmd->add_subcommand(
      "start", "Start a campaign: pin its definitions' versions and arm its dated events");
  start->add_option("name", *name, "The campaign's name (e.g. xinshao-2017)")->required();
  start->add_option("--at", *at,
                    "Start as if it were this date or instant (default: now); phases and "
                    "checkpoints already past are skipped");
  AddDefinitionOptions(start, *definitions);
  start->callback([&ctx, name, definitions, at] { RunStart(ctx, *name, *definitions, *at); });
  auto* show = cmd->add_subcommand("show", "Show a campaign run: state, phase, what is next");
  show->add_option("name", *name, "The campaign's name")->required();
  AddDefinitionOptions(show, *definitions);
  SupportFormats(ctx, show, {"json"});
  show->callback([&ctx, name, definitions] { RunShow(ctx, *name, *definitions); });
}

}  // namespace rectify::cli
