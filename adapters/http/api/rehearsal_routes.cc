// Rehearsing a campaign (演练) over HTTP, for headquarters' console:
//   POST /api/v1/rehearsals   runs what `rectify simulate` runs (adapters/rehearsal/rehearsal.h) on
//                             a named campaign or an uploaded edited campaign file, with an
//                             optional uploaded ledger, and answers the timeline counted per week
//                             (reminders, escalations, closings) with the totals simulate prints
//
// The body is multipart/form-data: `campaign` (a field: the name of a campaign the server
// loaded) or `definition` (a file: an edited campaign YAML, checked as POST
// /api/v1/definitions/validate checks it, its diagnostics answered with 422 on an error), and
// optionally `ledger` (a file: the problems as a CSV or XLSX ledger, checked row by row as the
// simulation checks it, 422 with each problem at its row and column), `seed` (the scripted
// behaviour's seed, default 1) and `until` (a date: stop at its end; default the campaign's end).
//
// The run never touches the server's database: it runs on a throw-away in-memory SQLite
// database migrated for it, on a virtual clock, and is dropped with the answer. Limits, each said
// in its error: the body (kMaxBody), the ledger's rows (kMaxRows), the real time one run may take
// (ApiOptions::rehearsal_seconds, serve --rehearsal-limit), and one rehearsal at a time per
// server (a second one meanwhile is 503 with Retry-After), since a run holds a heavy worker and
// its database's memory for its whole length. Administrators only (headquarters prepares
// campaigns); it changes nothing, so it is no write.
#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/multipart.h"
#include "adapters/rehearsal/rehearsal.h"
#include "adapters/rehearsal/scripted_ledger.h"
#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_store.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxBody = 8u << 20;  // a campaign file and a ledger
constexpr std::size_t kMaxRows = 5000;      // a county's year has some 1,500 problems

std::atomic<bool> running{false};

// Holds the one-at-a-time flag for the run's length.
struct RunningFlag {
  bool held = false;
  RunningFlag() {
    bool expected = false;
    held = running.compare_exchange_strong(expected, true);
  }
  ~RunningFlag() {
    if (held) running.store(false);
  }
};

http::Response Invalid(const std::string& code, const std::string& message,
                       const Diagnostics& diags) {
  json::object body{{"error", json::object{{"code", code}, {"message", message}}},
                    {"errors", diags.error_count()},
                    {"warnings", diags.warning_count()},
                    {"diagnostics", DiagnosticsArray(diags)},
                    {"text", diags.Format()}};
  return JsonResponse(422, body);
}

json::object WeekJson(const rehearsal::Week& w) {
  return json::object{{"reminders", w.reminders},
                      {"escalations", w.escalations},
                      {"closings", w.closings},
                      {"registered", w.registered},
                      {"notifications", w.notifications}};
}

http::Response Rehearse(Call& call) {
  const ApiOptions& o = call.api.options;
  if (o.migrations_dir.empty()) {
    return ErrorResponse(Error::FailedPrecondition(
        "this server cannot rehearse: it was started without its migrations folder"));
  }
  auto parts = ParseMultipart(call.request.Header("content-type"), call.request.body);
  if (!parts) {
    return ErrorResponse(Error::BadInput(
        parts.error().message() +
        "; send multipart/form-data with `campaign` (a name) or a `definition` file, and an "
        "optional `ledger` file"));
  }
  std::string campaign_name, seed_text, until_text, definition_text, ledger_text;
  std::string ledger_file = "ledger.csv";
  bool has_definition = false, has_ledger = false, has_campaign = false;
  for (const MultipartPart& p : *parts) {
    if (p.name == "campaign" && !p.filename) {
      campaign_name = p.body;
      has_campaign = true;
    } else if (p.name == "seed" && !p.filename) {
      seed_text = p.body;
    } else if (p.name == "until" && !p.filename) {
      until_text = p.body;
    } else if (p.name == "definition" && p.filename) {
      definition_text = p.body;
      has_definition = true;
    } else if (p.name == "ledger" && p.filename) {
      auto name = CheckFileName(*p.filename);
      if (!name) return ErrorResponse(Error::BadInput("ledger: " + name.error().message()));
      ledger_file = *name;
      ledger_text = p.body;
      has_ledger = true;
    } else {
      return ErrorResponse(Error::BadInput(
          "'" + p.name +
          "': unknown part; send the fields campaign, seed, until and the files definition, "
          "ledger"));
    }
  }
  if (has_campaign == has_definition) {
    return ErrorResponse(Error::BadInput(
        "campaign: name a registered campaign in `campaign`, or upload an edited campaign file "
        "as `definition` (one of the two)"));
  }
  engine::CadreBehaviour behaviour;
  if (!seed_text.empty()) {
    auto [end, ec] =
        std::from_chars(seed_text.data(), seed_text.data() + seed_text.size(), behaviour.seed);
    if (ec != std::errc() || end != seed_text.data() + seed_text.size()) {
      return ErrorResponse(Error::BadInput("seed: a whole number, 0 or more, e.g. 1"));
    }
  }

  // The definitions: the server's, or those with the upload checked among them.
  std::shared_ptr<const definition::DefinitionSet> definitions = o.definitions;
  std::shared_ptr<const definition::Campaign> campaign;
  if (has_definition) {
    CheckedUpload checked = CheckDefinitionUpload(o, definition_text);
    if (!checked.set || checked.diags.has_errors()) {
      return Invalid("invalid_definition",
                     "the campaign file has " + std::to_string(checked.diags.error_count()) +
                         " error(s); nothing was run (see diagnostics)",
                     checked.diags);
    }
    definitions = checked.set;
    for (const auto& info : checked.defined) {
      if (info.kind == definition::Kind::kCampaign) {
        if (campaign) {
          return ErrorResponse(Error::BadInput(
              "definition: the file defines more than one campaign; upload one campaign"));
        }
        campaign = definitions->FindCampaign(info.name, info.version);
      }
    }
    if (!campaign) {
      return ErrorResponse(Error::BadInput(
          "definition: the file defines no campaign (kind: campaign); upload a campaign file, "
          "e.g. one read from GET /api/v1/definitions/campaign/{name}"));
    }
  } else {
    campaign = definitions->FindCampaign(campaign_name);
    if (!campaign) {
      return ErrorResponse(Error::NotFound("campaign: no campaign '" + campaign_name +
                                           "' is loaded; GET /api/v1/definitions lists them"));
    }
  }
  const Calendar& cal = campaign->calendar();
  Timestamp from = cal.StartOfDay(campaign->from());
  Timestamp until = cal.EndOfDay(campaign->to());
  if (!until_text.empty()) {
    auto day = ParseDate(until_text);
    if (!day) return ErrorResponse(Error::BadInput("until: a date, e.g. 2017-06-30"));
    until = cal.EndOfDay(*day);
    if (until <= from) {
      return ErrorResponse(Error::BadInput("until: " + until_text +
                                           " is before the campaign's first day, " +
                                           FormatDate(campaign->from())));
    }
  }

  RunningFlag flag;
  if (!flag.held) {
    http::Response busy = http::Response::Error(
        503, "unavailable", "another rehearsal is running; try again in a minute");
    busy.headers.emplace_back("Retry-After", "60");
    return busy;
  }
  auto started = std::chrono::steady_clock::now();
  auto url = store_soci::ParseDatabaseUrl("sqlite::memory:");
  if (!url) return ErrorResponse(url.error());
  store_soci::OpenOptions open;
  open.create = true;
  auto db = store_soci::Database::Open(*url, open);
  if (!db) return ErrorResponse(db.error());
  store_soci::Migrator migrator(**db, o.migrations_dir);
  if (auto applied = migrator.Migrate(call.now); !applied) return ErrorResponse(applied.error());
  store_soci::Database* raw = db->get();
  std::unique_ptr<Store> store = store_soci::MakeStore(std::move(*db));

  // An uploaded campaign's text travels in `definitions` (DefinitionSet::SourceText).
  rehearsal::RehearsalPlan plan{definitions, campaign, raw, store.get(), from, until, behaviour};
  // The bulletins the campaign issues are rendered from the templates beside the shipped library.
  if (!call.api.options.definition_library.empty()) {
    plan.templates = call.api.options.definition_library.front() + "/templates";
  }
  rehearsal::Rehearsal run(plan);
  std::vector<engine::Registration> ledger;
  Diagnostics ledger_diags;
  if (has_ledger) {
    auto checked = rehearsal::CheckScriptedLedger(ledger_text, ledger_file, run.engine(),
                                                  run.script(), *campaign, until, ledger_diags);
    if (!checked && !ledger_diags.has_errors()) return ErrorResponse(checked.error());
    if (!checked) {
      return Invalid("invalid_ledger", checked.error().message(), ledger_diags);
    }
    ledger = std::move(*checked);
    if (ledger.size() > kMaxRows) {
      return ErrorResponse(Error::BadInput(
          "ledger: " + std::to_string(ledger.size()) + " rows; a rehearsal takes at most " +
          std::to_string(kMaxRows) + ": rehearse with a sample of the ledger"));
    }
  }
  auto delivery = rehearsal::SimulatedDelivery::OnTime(*raw, *store, cal, run.clock(), definitions);
  auto limit = std::chrono::duration<double>(o.rehearsal_seconds);
  Timestamp reached = from;
  auto progress = [&](Timestamp now) { reached = now; };
  auto stop = [&]() -> Status {
    if (std::chrono::steady_clock::now() - started <= limit) return OkStatus();
    return Error::Unavailable("time limit");
  };
  auto report = run.Run(ledger, *delivery, progress, stop);
  if (!report && std::chrono::steady_clock::now() - started > limit) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g", o.rehearsal_seconds);
    return http::Response::Error(
        422, "time_limit",
        std::string("the rehearsal ran longer than its limit of ") + seconds +
            " s and was stopped at " + FormatDate(cal.DateOf(reached)) +
            "; rehearse a shorter span (until) or a smaller ledger, or ask the administrator "
            "to raise serve --rehearsal-limit");
  }
  if (!report) return ErrorResponse(report.error());
  auto events = run.Timeline();
  if (!events) return ErrorResponse(events.error());
  auto finals = run.FinalStates(*events);
  if (!finals) return ErrorResponse(finals.error());
  rehearsal::Counts counts = rehearsal::CountWeeks(*events, cal, from, until, *finals);

  json::array weeks;
  for (const rehearsal::Week& w : counts.weeks) {
    json::object week = WeekJson(w);
    week["week"] = FormatDate(w.monday);
    weeks.push_back(std::move(week));
  }
  json::object totals = WeekJson(counts.total);
  totals["events"] = events->size();
  totals["timers_fired"] = report->fired.timers;
  totals["scripted_actions"] = report->actions;
  totals["refused_actions"] = run.script().notes().size();
  totals["errors"] = report->fired.errors.size();
  const definition::DefinitionInfo& info = campaign->info();
  json::object answer{
      {"campaign", json::object{{"name", info.name},
                                {"version", info.version},
                                {"title", info.title},
                                {"uploaded", has_definition}}},
      {"from", FormatDate(cal.DateOf(from))},
      {"until", FormatDate(cal.DateOf(until - std::chrono::microseconds(1)))},
      {"seed", behaviour.seed},
      {"ledger", has_ledger
                     ? json::value(json::object{{"file", ledger_file},
                                                {"rows", ledger.size()},
                                                {"diagnostics", DiagnosticsArray(ledger_diags)}})
                     : json::value(nullptr)},
      {"weeks", std::move(weeks)},
      {"totals", std::move(totals)},
      {"seconds",
       std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()}};
  return JsonResponse(200, answer);
}

}  // namespace

std::vector<Route> RehearsalRoutes() {
  std::vector<Route> routes = {
      {{"POST", "/api/v1/rehearsals", Access::kAdmin, false, kMaxBody}, Rehearse},
  };
  for (Route& r : routes) r.info.heavy = true;  // a year of a campaign run: seconds of work
  return routes;
}

}  // namespace rectify::api
