// rectify report deliveries [--dead] [--item ID] [--letter KEY] [--limit N]
//                           [--format text|json|jsonl|csv]
//
// What the dispatcher did: counts of deliveries by state, then either the dead letters (--dead),
// an item's rows with every attempt and its kept letters (--item), or the latest attempts. With
// --letter KEY (the dedup key of the message it was kept for, as --item lists them) it prints
// that letter's HTML document as it was sent, and nothing else (json: the document's record).
#include <boost/json.hpp>

#include "adapters/cli/cli.h"
#include "adapters/cli/database_access.h"
#include "adapters/cli/definition_sources.h"
#include "adapters/cli/text_table.h"
#include "adapters/store/soci/soci_outbox_store.h"
#include "rectify/clock.h"

namespace rectify::cli {

namespace {

struct DeliveriesArgs {
  DefinitionSources definitions;
  bool dead = false;
  std::string item, letter;
  std::int64_t limit = 50;
};

boost::json::object AttemptJson(const notify::DeliveryAttempt& a) {
  return {{"outbox_id", a.outbox_id}, {"dedup_key", a.dedup_key}, {"attempt", a.attempt},
          {"at", FormatIso(a.at)},    {"channel", a.channel},     {"outcome", a.outcome},
          {"detail", a.detail}};
}

boost::json::object RowJson(const OutboxRecord& r) {
  return {{"outbox_id", r.id},
          {"dedup_key", r.dedup_key},
          {"item", r.instance_id},
          {"recipient", r.recipient},
          {"contact", r.channel},
          {"template", r.template_name},
          {"state", std::string(OutboxStateName(r.state))},
          {"attempts", r.attempts},
          {"not_before", FormatIso(r.not_before)},
          {"last_error", r.last_error}};
}

std::string CsvCell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void Print(Context& ctx, const std::vector<boost::json::object>& rows,
           const std::vector<std::string>& columns) {
  switch (ctx.format()) {
    case Format::kJson: {
      boost::json::array a(rows.begin(), rows.end());
      ctx.out << boost::json::serialize(a) << "\n";
      return;
    }
    case Format::kJsonl:
      for (const auto& r : rows) ctx.out << boost::json::serialize(r) << "\n";
      return;
    default:
      break;
  }
  auto cell = [](const boost::json::value& v) {
    if (v.is_string()) return std::string(v.as_string());
    return boost::json::serialize(v);
  };
  if (ctx.format() == Format::kCsv) {
    ctx.out << kCsvBom;
    std::string sep;
    for (const auto& c : columns) ctx.out << std::exchange(sep, ",") << c;
    ctx.out << "\n";
    for (const auto& r : rows) {
      sep.clear();
      for (const auto& c : columns) {
        ctx.out << std::exchange(sep, ",") << CsvCell(r.contains(c) ? cell(r.at(c)) : "");
      }
      ctx.out << "\n";
    }
    return;
  }
  TextTable t(columns);
  for (const auto& r : rows) {
    std::vector<std::string> cells;
    for (const auto& c : columns) cells.push_back(r.contains(c) ? cell(r.at(c)) : "");
    t.Add(cells);
  }
  ctx.out << t.Format();
}

// --letter KEY: the kept HTML document, byte for byte (a browser or `> letter.html` reads it).
void PrintLetter(Context& ctx, notify::OutboxStore& outbox, const DeliveriesArgs& a) {
  std::string item = a.item.empty() ? a.letter.substr(0, a.letter.find('|')) : a.item;
  auto docs = outbox.DocumentsOf(item);
  if (!docs) return ctx.Fail(docs.error());
  for (const auto& d : *docs) {
    if (d.dedup_key != a.letter) continue;
    if (ctx.format() == Format::kText) {
      ctx.out << d.html;
      return;
    }
    boost::json::object o{{"dedup_key", d.dedup_key},
                          {"item", d.instance_id},
                          {"recipient", d.recipient},
                          {"template", d.template_name},
                          {"language", d.language},
                          {"title", d.title},
                          {"created_at", FormatIso(d.created_at)},
                          {"html", d.html}};
    ctx.out << boost::json::serialize(o) << "\n";
    return;
  }
  ctx.Fail(Error::NotFound("no letter is kept for '" + a.letter + "' (item " + item +
                           "); 'rectify report deliveries --item " + item +
                           "' lists the letters kept with the item and their keys"));
}

void RunDeliveries(Context& ctx, const DeliveriesArgs& a) {
  auto opened = OpenDatabase(ctx, /*create=*/false);
  if (!opened) return ctx.Fail(opened.error());
  auto has = opened->db->TableExists("delivery_attempts");
  if (!has) return ctx.Fail(has.error());
  if (!*has) {
    return ctx.Fail(Error::FailedPrecondition(
        "the database has no deliveries yet (migration 0003); run 'rectify migrate' first"));
  }
  store_soci::SociOutboxStore outbox(std::move(opened->db));
  if (!a.letter.empty()) return PrintLetter(ctx, outbox, a);
  SystemClock clock;
  auto counts = outbox.Counts(clock.Now());
  if (!counts) return ctx.Fail(counts.error());
  if (ctx.format() == Format::kText) {
    ctx.out << "deliveries: queued " << counts->queued << ", waiting to retry "
            << counts->waiting_to_retry << ", sending " << counts->sending << ", delivered "
            << counts->delivered << ", dead letters " << counts->dead << ", cancelled "
            << counts->cancelled << " (" << counts->attempts << " attempts)\n";
  }
  std::vector<boost::json::object> rows;
  if (a.dead) {
    auto dead = outbox.DeadLetters(a.limit);
    if (!dead) return ctx.Fail(dead.error());
    for (const auto& r : *dead) rows.push_back(RowJson(r));
    return Print(
        ctx, rows,
        {"outbox_id", "item", "recipient", "contact", "template", "attempts", "last_error"});
  }
  if (!a.item.empty()) {
    auto docs = outbox.DocumentsOf(a.item);
    if (!docs) return ctx.Fail(docs.error());
    std::vector<notify::DeliveryAttempt> attempts;
    auto recent = outbox.RecentAttempts(1000000);
    if (!recent) return ctx.Fail(recent.error());
    for (auto it = recent->rbegin(); it != recent->rend(); ++it) {
      if (it->dedup_key.rfind(a.item + "|", 0) == 0) rows.push_back(AttemptJson(*it));
    }
    Print(ctx, rows, {"at", "dedup_key", "attempt", "channel", "outcome", "detail"});
    if (ctx.format() == Format::kText) {
      ctx.out << "letters kept with " << a.item << ": " << docs->size() << "\n";
      for (const auto& d : *docs) {
        ctx.out << "  " << d.template_name << " (" << d.language << ") to " << d.recipient << ": "
                << d.title << "\n    rectify report deliveries --letter '" << d.dedup_key << "'\n";
      }
    }
    return;
  }
  auto recent = outbox.RecentAttempts(a.limit);
  if (!recent) return ctx.Fail(recent.error());
  for (const auto& at : *recent) rows.push_back(AttemptJson(at));
  Print(ctx, rows, {"at", "dedup_key", "attempt", "channel", "outcome", "detail"});
}

// rectify report unreached: the people a message reached by no route (channels file
// `unreached:`), each once per message, with the routes tried and the unit head who was told.
void RunUnreached(Context& ctx, std::int64_t limit) {
  auto opened = OpenDatabase(ctx, /*create=*/false);
  if (!opened) return ctx.Fail(opened.error());
  auto has = opened->db->TableExists("unreached_people");
  if (!has) return ctx.Fail(has.error());
  if (!*has) {
    return ctx.Fail(Error::FailedPrecondition(
        "the database has no delivery receipts yet (migration 0019); run 'rectify migrate' "
        "first"));
  }
  store_soci::SociOutboxStore outbox(std::move(opened->db));
  auto unreached = outbox.Unreached(limit);
  if (!unreached) return ctx.Fail(unreached.error());
  if (ctx.format() == Format::kText) {
    ctx.out << "people not reached: " << unreached->size() << "\n";
  }
  std::vector<boost::json::object> rows;
  for (const auto& u : *unreached) {
    rows.push_back({{"at", FormatIso(u.at)},
                    {"item", u.instance_id},
                    {"person", u.person},
                    {"template", u.template_name},
                    {"routes", u.routes},
                    {"reported_to", u.reported_to},
                    {"report_key", u.report_key},
                    {"origin_key", u.origin_key}});
  }
  Print(ctx, rows, {"at", "item", "person", "template", "routes", "reported_to", "origin_key"});
}

}  // namespace

void RegisterDeliveriesReport(CLI::App* report, Context& ctx) {
  auto limit = std::make_shared<std::int64_t>(1000);
  auto unreached_defs = std::make_shared<DefinitionSources>();
  auto* unreached = report->add_subcommand(
      "unreached",
      "People a message reached by no route (the channels file's unreached:), each reported "
      "once to their unit head");
  unreached->add_option("--limit", *limit, "At most this many rows (default 1000)");
  AddDefinitionOptions(unreached, *unreached_defs);
  SupportFormats(ctx, unreached, {"json", "jsonl", "csv"});
  unreached->callback([&ctx, limit, unreached_defs] {
    if (auto set = LoadDefinitionSources(ctx, *unreached_defs); !set) {
      return ctx.Fail(set.error());
    }
    RunUnreached(ctx, *limit);
  });

  auto a = std::make_shared<DeliveriesArgs>();
  auto* cmd = report->add_subcommand(
      "deliveries",
      "Notification deliveries: counts by state, dead letters (--dead), an item's attempts and "
      "letters (--item), or the latest attempts");
  cmd->add_flag("--dead", a->dead, "List the dead letters");
  cmd->add_option("--item", a->item, "Every attempt for this item, and the letters kept with it");
  cmd->add_option("--letter", a->letter,
                  "Print the HTML of the letter kept for this message (its dedup key, as --item "
                  "lists them)");
  cmd->add_option("--limit", a->limit, "At most this many rows (default 50)");
  // The outbox holds what was rendered; the definitions are loaded only to check them, as every
  // command does (definition_sources.h).
  AddDefinitionOptions(cmd, a->definitions);
  SupportFormats(ctx, cmd, {"json", "jsonl", "csv"});
  cmd->callback([&ctx, a] {
    if (auto set = LoadDefinitionSources(ctx, a->definitions); !set) return ctx.Fail(set.error());
    RunDeliveries(ctx, *a);
  });
}

}  // namespace rectify::cli
