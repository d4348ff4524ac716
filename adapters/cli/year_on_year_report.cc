// rectify report year-on-year: a campaign's counts over a period beside an earlier campaign's over
// the same dates a year before, and the change as the seeds write it ("dropped by 33.5%")
// (rectify/engine/year_on_year.h).
//
//   $ rectify report year-on-year --campaign xinshao-2018 --compare-with xinshao-2017
//       --from 2018-04-01 --to 2018-06-30 [--with-from D --with-to D] [--format json|csv]
#include <boost/json.hpp>

#include "adapters/cli/cli.h"
#include "adapters/cli/engine_access.h"
#include "adapters/cli/text_table.h"
#include "rectify/engine/ledger.h"
#include "rectify/engine/year_on_year.h"

namespace rectify::cli {
namespace {

struct YearOnYearArgs {
  std::string campaign, with, from, to, with_from, with_to;
  DefinitionSources definitions;
};

Result<Date> DateOption(const std::string& text, const char* option) {
  auto d = ParseDate(text);
  if (!d) return Error::BadInput(std::string(option) + ": " + d.error().message());
  return *d;
}

void RunYearOnYear(Context& ctx, const YearOnYearArgs& a) {
  engine::YearOnYearQuery q;
  q.campaign = a.campaign;
  q.with = a.with;
  auto from = DateOption(a.from, "--from");
  if (!from) return ctx.Fail(from.error());
  auto to = DateOption(a.to, "--to");
  if (!to) return ctx.Fail(to.error());
  q.from = *from;
  q.to = *to;
  if (a.with_from.empty() != a.with_to.empty()) {
    return ctx.Fail(Error::BadInput(
        "--with-from and --with-to go together (the earlier period); leave both out for the "
        "same dates a year before"));
  }
  if (!a.with_from.empty()) {
    auto wf = DateOption(a.with_from, "--with-from");
    if (!wf) return ctx.Fail(wf.error());
    auto wt = DateOption(a.with_to, "--with-to");
    if (!wt) return ctx.Fail(wt.error());
    q.with_from = *wf;
    q.with_to = *wt;
  }
  auto session = OpenEngine(ctx, a.definitions, "", Access::kReadOnly);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  for (Status st : {s.RequireCampaign(ctx, a.campaign), s.RequireCampaign(ctx, a.with)}) {
    if (!st) return ctx.Fail(st.error());
  }
  auto r = engine::YearOnYearReport(*s.store, *s.definitions, q);
  if (!r) return ctx.Fail(r.error());
  if (ctx.format() == Format::kJson) {
    ctx.out << boost::json::serialize(engine::ToJson(*r)) << "\n";
    return;
  }
  if (ctx.format() == Format::kCsv) {
    ctx.out << kCsvBom << engine::CsvLine({"measure", "label", "now", "before", "change", "words"});
    for (const auto& l : r->lines) {
      ctx.out << engine::CsvLine(
          {l.measure, l.label, std::to_string(l.now), std::to_string(l.before), l.change, l.words});
    }
    return;
  }
  ctx.out << r->campaign << " " << FormatDate(r->from) << " .. " << FormatDate(r->to) << " against "
          << r->with << " " << FormatDate(r->with_from) << " .. " << FormatDate(r->with_to) << "\n";
  TextTable t({"measure", "now", "a year before", "change", ""});
  for (const auto& l : r->lines) {
    t.Add({l.label, std::to_string(l.now), std::to_string(l.before), l.change, l.words});
  }
  ctx.out << t.Format();
}

}  // namespace

void RegisterYearOnYearReport(CLI::App* report, Context& ctx) {
  auto a = std::make_shared<YearOnYearArgs>();
  auto* cmd = report->add_subcommand(
      "year-on-year",
      "A campaign's problems found, items opened, closed and overdue, clues from public reports "
      "and escalation measures against the same period of an earlier campaign, with the change");
  cmd->add_option("--campaign", a->campaign, "This period's campaign")->required();
  cmd->add_option("--compare-with", a->with, "The earlier campaign")->required();
  cmd->add_option("--from", a->from, "The period's first day (2018-01-01)")->required();
  cmd->add_option("--to", a->to, "The period's last day (2018-06-30)")->required();
  cmd->add_option("--with-from", a->with_from,
                  "The earlier period's first day (default: --from a year before)");
  cmd->add_option("--with-to", a->with_to,
                  "The earlier period's last day (default: --to a year before)");
  AddDefinitionOptions(cmd, a->definitions);
  SupportFormats(ctx, cmd, {"json", "csv"});
  cmd->callback([&ctx, a] { RunYearOnYear(ctx, *a); });
}

}  // namespace rectify::cli
