// rectify bulletin issue|list|show: a campaign's numbered bulletins (通报, engine/bulletin.h),
// issued by headquarters, kept as issued and sent to the heads of the units in their scope
// (adapters/store/soci/bulletin_store.h).
//
//   $ rectify bulletin issue --campaign xinshao-2017 --round q1_inspection --as xs-0003
//       [--scope township,department] [--title "..."] [--dry-run]
//   $ rectify bulletin list --campaign xinshao-2017 [--format json]
//   $ rectify bulletin show 5 --campaign xinshao-2017 [--format json|html|pdf] [--lang en]
//       [--output 通报5.pdf]
//
// A refused command prints one line saying why and exits non-zero; nothing is written.
#include <boost/json.hpp>
#include <fstream>

#include "adapters/cli/cli.h"
#include "adapters/cli/database_access.h"
#include "adapters/cli/engine_access.h"
#include "adapters/cli/text_table.h"
#include "adapters/http/api/bulletin_document.h"
#include "adapters/store/soci/bulletin_store.h"
#include "rectify/engine/bulletin.h"

namespace rectify::cli {
namespace {

namespace json = boost::json;

struct IssueOptions {
  engine::BulletinRequest request;
  std::string scope, templates, at;
  bool dry_run = false;
  DefinitionSources definitions;
};

struct ShowOptions {
  std::string campaign, number, lang = "zh", output, at;
  DefinitionSources definitions;
};

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text + ",") {
    if (c == ',' || c == ' ') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

std::int64_t Count(const json::object& content, const char* part) {
  const json::value* v = content.if_contains(part);
  if (!v || !v->is_object()) return 0;
  const json::value* t = v->as_object().if_contains("total");
  return t && t->is_int64() ? t->as_int64() : 0;
}

void RunIssue(Context& ctx, IssueOptions o) {
  auto session = OpenEngine(ctx, o.definitions, o.at);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  if (Status st = s.RequireCampaign(ctx, o.request.campaign); !st) return ctx.Fail(st.error());
  if (Status st = s.RequirePerson(ctx, o.request.actor); !st) return ctx.Fail(st.error());
  auto opened = OpenDatabase(ctx, /*create=*/false);
  if (!opened) return ctx.Fail(opened.error());
  auto templates = store_soci::LoadBulletinTemplates(
      o.templates.empty() ? ctx.Home() + "/workflows/templates" : o.templates);
  if (!templates) return ctx.Fail(templates.error());
  o.request.scope = SplitList(o.scope);
  auto b = store_soci::IssueBulletin(*opened->db, *s.engine, o.request, *templates, o.dry_run);
  if (!b) return ctx.Fail(b.error());
  if (ctx.format() == Format::kJson) {
    ctx.out << json::serialize(store_soci::BulletinJson(*b)) << "\n";
    return;
  }
  ctx.out << (b->dry_run ? "would issue " : "issued ") << b->campaign << " bulletin "
          << engine::BulletinNumberLabel(b->year, b->number, "zh") << " (" << b->key()
          << "): " << b->title << "\n";
  ctx.out << "  findings " << Count(b->content, "findings") << ", overdue items "
          << Count(b->content, "overdue") << ", measures since the previous bulletin "
          << Count(b->content, "measures") << "\n";
  ctx.out << "  " << (b->dry_run ? "would be sent to " : "sent to ") << b->sent_to.size()
          << " unit head" << (b->sent_to.size() == 1 ? "" : "s");
  if (!b->not_sent.empty()) {
    ctx.out << "; no head to send it to at";
    for (const auto& u : b->not_sent) ctx.out << " " << u;
  }
  ctx.out << "\n";
}

void RunList(Context& ctx, const std::string& campaign, const DefinitionSources& definitions,
             const std::string& at) {
  auto session = OpenEngine(ctx, definitions, at, Access::kReadOnly);
  if (!session) return ctx.Fail(session.error());
  if (Status st = (*session)->RequireCampaign(ctx, campaign); !st) return ctx.Fail(st.error());
  auto opened = OpenDatabase(ctx, /*create=*/false);
  if (!opened) return ctx.Fail(opened.error());
  auto all = store_soci::ListBulletins(*opened->db, campaign);
  if (!all) return ctx.Fail(all.error());
  if (ctx.format() == Format::kJson) {
    json::array a;
    for (const auto& b : *all) a.push_back(store_soci::BulletinJson(b));
    ctx.out << json::serialize(a) << "\n";
    return;
  }
  TextTable t({"number", "issued on", "round", "title", "findings", "overdue", "measures"});
  for (const auto& b : *all) {
    const json::value* on = b.content.if_contains("issued_on");
    t.Add({engine::BulletinNumberLabel(b.year, b.number, "zh"),
           on && on->is_string() ? std::string(on->as_string()) : "",
           b.round.empty() ? "-" : b.round, b.title, std::to_string(Count(b.content, "findings")),
           std::to_string(Count(b.content, "overdue")),
           std::to_string(Count(b.content, "measures"))});
  }
  ctx.out << t.Format();
  ctx.out << all->size() << " bulletin" << (all->size() == 1 ? "" : "s") << "\n";
}

void RunShow(Context& ctx, const ShowOptions& o) {
  if (o.lang != "zh" && o.lang != "en") {
    return ctx.Fail(Error::BadInput("--lang " + o.lang + ": write zh or en"));
  }
  auto session = OpenEngine(ctx, o.definitions, o.at, Access::kReadOnly);
  if (!session) return ctx.Fail(session.error());
  if (Status st = (*session)->RequireCampaign(ctx, o.campaign); !st) return ctx.Fail(st.error());
  auto opened = OpenDatabase(ctx, /*create=*/false);
  if (!opened) return ctx.Fail(opened.error());
  auto b = store_soci::LoadBulletin(*opened->db, o.campaign, o.number);
  if (!b) return ctx.Fail(b.error());
  std::string bytes;
  if (ctx.format_name == "json") {
    bytes = json::serialize(store_soci::BulletinJson(*b)) + "\n";
  } else if (ctx.format_name == "html") {
    bytes = o.lang == "en" ? b->html_en : b->html_zh;
  } else if (ctx.format_name == "pdf") {
    auto pdf = api::DrawBulletinPdf(b->content, o.lang);
    if (!pdf) return ctx.Fail(pdf.error());
    bytes = std::move(*pdf);
  } else {
    engine::BulletinOutline outline = engine::OutlineBulletin(b->content, o.lang);
    bytes = outline.number_label + "\n" + outline.title + "\n" + outline.scope + "\n";
    for (const engine::BulletinSection& s : outline.sections) {
      bytes += "\n" + s.heading + "\n";
      for (const auto& l : s.lines) bytes += l + "\n";
      if (s.rows.empty()) continue;
      TextTable t(s.header);
      for (const auto& row : s.rows) t.Add(row);
      bytes += t.Format();
    }
    bytes += "\n" + outline.issuer + "  " + outline.issued_on + "\n";
  }
  if (o.output.empty()) {
    if (ctx.format_name == "pdf") {
      return ctx.Fail(Error::BadInput("a PDF is not written to the terminal; add --output FILE"));
    }
    ctx.out << bytes;
    return;
  }
  std::ofstream f(o.output, std::ios::binary);
  f << bytes;
  if (!f.good()) {
    return ctx.Fail(Error::Unavailable("cannot write " + o.output + "; check the folder exists"));
  }
  ctx.out << "wrote " << o.output << " (" << bytes.size() << " bytes)\n";
}

}  // namespace

void RegisterBulletin(CLI::App& app, Context& ctx) {
  auto* bulletin =
      app.add_subcommand("bulletin", "Issue, list and show a campaign's numbered bulletins (通报)");
  bulletin->require_subcommand(1);

  auto issue_opts = std::make_shared<IssueOptions>();
  auto* issue = bulletin->add_subcommand(
      "issue", "Issue the campaign's next bulletin and send it to the heads of the units in scope");
  engine::BulletinRequest& r = issue_opts->request;
  issue->add_option("--campaign", r.campaign, "The campaign")->required();
  issue->add_option("--round", r.round,
                    "An inspection round of the campaign whose findings it reports");
  issue->add_option("--scope", issue_opts->scope,
                    "Units in scope: unit ids or kinds, comma-separated (default: the campaign's "
                    "bulletins: scope, else the units directly under the top unit)");
  issue->add_option("--title", r.title, "The title (default: made from the campaign and round)");
  issue->add_option("--as", r.actor, "Who issues it (the campaign's bulletins: issued_by role)")
      ->required();
  issue->add_flag("--dry-run", issue_opts->dry_run,
                  "Build it with the number it would get and show it; change nothing");
  issue->add_option("--templates", issue_opts->templates,
                    "Folder of the document templates (default: <RECTIFY_HOME>/workflows/"
                    "templates)");
  AddEngineOptions(issue, issue_opts->definitions, issue_opts->at);
  SupportFormats(ctx, issue, {"json"});
  issue->callback([&ctx, issue_opts] { RunIssue(ctx, *issue_opts); });

  struct ListOptions {
    std::string campaign, at;
    DefinitionSources definitions;
  };
  auto list_opts = std::make_shared<ListOptions>();
  auto* list = bulletin->add_subcommand("list", "The campaign's bulletins, oldest first");
  list->add_option("--campaign", list_opts->campaign, "The campaign")->required();
  AddEngineOptions(list, list_opts->definitions, list_opts->at);
  SupportFormats(ctx, list, {"json"});
  list->callback([&ctx, list_opts] {
    RunList(ctx, list_opts->campaign, list_opts->definitions, list_opts->at);
  });

  auto show_opts = std::make_shared<ShowOptions>();
  auto* show = bulletin->add_subcommand("show", "One bulletin as issued: text, JSON, HTML or PDF");
  show->add_option("number", show_opts->number, "Its number (5) or year and number (2017-5)")
      ->required();
  show->add_option("--campaign", show_opts->campaign, "The campaign")->required();
  show->add_option("--lang", show_opts->lang, "zh (default) or en");
  show->add_option("--output", show_opts->output, "Write it to this file (a PDF needs one)");
  AddEngineOptions(show, show_opts->definitions, show_opts->at);
  SupportFormats(ctx, show, {"json", "html", "pdf"});
  show->callback([&ctx, show_opts] { RunShow(ctx, *show_opts); });
}

}  // namespace rectify::cli
