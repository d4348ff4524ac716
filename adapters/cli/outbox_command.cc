// rectify outbox list [--item ID] [--person ID] [--state STATE] [--at INSTANT] [--limit N]
//                     [--channels FILE] [--templates DIR] [--definitions DIR]
//
// Shows the outbox before (and after) it goes: each message with its state, and for a message
// still to go, the rule that holds it (working hours, daily digest, rate limit, backoff after a
// failed attempt, not yet due) and when it will go, as a dispatch at --at (default now) would see
// it (adapters/notify/dispatcher.h, Preview). Reads only.
//
//   $ rectify outbox list --item Q-1 --state held
//   $ rectify outbox list --person xs-0014 --format csv
#include <boost/json.hpp>
#include <map>

#include "adapters/cli/cli.h"
#include "adapters/cli/database_access.h"
#include "adapters/cli/notify_session.h"
#include "adapters/cli/outbox_listing.h"
#include "adapters/cli/text_table.h"
#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_outbox_store.h"
#include "rectify/engine/ledger.h"

namespace rectify::cli {

namespace json = boost::json;

std::string ListedState(const notify::RowVerdict& v) {
  if (v.row.state != OutboxState::kPending) return std::string(OutboxStateName(v.row.state));
  switch (v.action) {
    case notify::RowVerdict::Action::kHold:
      return "held";
    case notify::RowVerdict::Action::kDeadLetter:
      return "dead letter";
    default:
      return "queued";
  }
}

void WriteOutboxRows(Context& ctx, const std::vector<notify::RowVerdict>& rows,
                     const Calendar* calendar,
                     const std::map<std::int64_t, notify::DeliveryReceipt>& receipts) {
  auto local = [&](Timestamp t) { return calendar ? calendar->FormatLocal(t) : FormatIso(t); };
  const std::vector<std::string> columns = {
      "id", "item", "recipient", "recipient_name", "template", "channel", "state", "rule",
      "goes_at", "attempts", "last_error", "dedup_key",
      // Its receipt (receipt.h): did it reach the person?
      "receipt", "receipt_code", "receipt_detail", "provider_ref"};
  std::vector<std::vector<std::string>> cells;
  for (const auto& v : rows) {
    const OutboxRecord& r = v.row;
    std::string state = ListedState(v);
    std::string rule(notify::HoldRuleName(v.hold.rule));
    std::string goes;
    if (r.state == OutboxState::kPending) {
      if (v.action == notify::RowVerdict::Action::kHold) {
        goes = local(v.hold.until);
      } else if (v.action == notify::RowVerdict::Action::kDeadLetter) {
        rule = v.detail;
      } else {
        goes = "now";
      }
    }
    cells.push_back({std::to_string(r.id), r.instance_id, r.recipient, v.recipient_name,
                     r.template_name, r.channel, state, rule, goes, std::to_string(r.attempts),
                     r.last_error, r.dedup_key});
    auto rc = receipts.find(r.id);
    notify::DeliveryReceipt none;
    const notify::DeliveryReceipt& receipt = rc == receipts.end() ? none : rc->second;
    cells.back().insert(cells.back().end(), {std::string(notify::ReceiptStateName(receipt.state)),
                                             receipt.code, receipt.detail, receipt.provider_ref});
  }
  switch (ctx.format()) {
    case Format::kJson:
    case Format::kJsonl: {
      json::array all;
      for (const auto& c : cells) {
        json::object o;
        for (std::size_t i = 0; i < columns.size(); ++i) {
          if (columns[i] == "id" || columns[i] == "attempts") {
            o[columns[i]] = std::stoll(c[i]);
          } else {
            o[columns[i]] = c[i];
          }
        }
        if (ctx.format() == Format::kJsonl) {
          ctx.out << json::serialize(o) << "\n";
        } else {
          all.push_back(std::move(o));
        }
      }
      if (ctx.format() == Format::kJson)
        ctx.out << json::serialize(json::object{{"rows", all}}) << "\n";
      return;
    }
    case Format::kCsv: {
      ctx.out << kCsvBom << engine::CsvLine(columns);
      for (const auto& c : cells) ctx.out << engine::CsvLine(c);
      return;
    }
    default:
      break;
  }
  TextTable t({"id", "item", "to", "template", "state", "rule", "goes at", "receipt"});
  for (const auto& c : cells) {
    std::string to = c[3].empty() ? c[2] : c[3] + " (" + c[2] + ")";
    std::string receipt = c[12] == "none" ? "-" : c[12] + (c[13].empty() ? "" : " " + c[13]);
    t.Add({c[0], c[1].empty() ? "-" : c[1], to, c[4], c[6], c[7].empty() ? "-" : c[7],
           c[8].empty() ? "-" : c[8], receipt});
  }
  ctx.out << t.Format();
}

namespace {

struct OutboxListOptions {
  NotifyOptions notify;
  std::string item, person, state, at;
  std::int64_t limit = 1000;
};

void RunList(Context& ctx, const OutboxListOptions& o) {
  if (o.limit < 1) return ctx.UsageError("--limit is a number above 0");
  const std::string& st = o.state;
  std::optional<OutboxState> stored;
  if (st == "sent") {
    stored = OutboxState::kSent;
  } else if (st == "dead") {
    stored = OutboxState::kDead;
  } else if (st == "cancelled") {
    stored = OutboxState::kCancelled;
  } else if (st == "queued" || st == "held" || st == "pending") {
    stored = OutboxState::kPending;
  }
  auto opened = OpenDatabase(ctx, /*create=*/false);
  if (!opened) return ctx.Fail(opened.error());
  store_soci::Migrator migrator(*opened->db, MigrationsDir(ctx, ""));
  auto migrated = migrator.Check();
  if (!migrated) return ctx.Fail(migrated.error());
  if (!migrated->pending.empty() || migrated->version() < 3) {
    return ctx.Fail(Error::FailedPrecondition("the database " + opened->url.Redacted() +
                                              " is not migrated for deliveries; run 'rectify "
                                              "migrate' first"));
  }
  SystemClock clock;
  Timestamp at = clock.Now();
  if (!o.at.empty()) {
    auto t = ParseIso(o.at);
    if (!t) return ctx.Fail(Error::BadInput("--at: " + t.error().message()));
    at = *t;
  }
  std::ostringstream quiet;
  auto setup = LoadNotifySetup(ctx, o.notify, quiet, &clock);
  if (!setup) return ctx.Fail(setup.error());
  NotifySetup& s = **setup;
  store_soci::SociOutboxStore outbox(std::move(opened->db));
  notify::OutboxQuery q;
  if (!o.item.empty()) q.instance_id = o.item;
  if (!o.person.empty()) q.recipient = o.person;
  q.state = stored;
  q.limit = o.limit;
  auto rows = outbox.List(q);
  if (!rows) return ctx.Fail(rows.error());
  notify::Dispatcher dispatcher(outbox, clock, *s.config, s.channels, s.renderer, s.directory,
                                s.calendar.get(), {});
  // What holds a pending row depends on the rows ahead of it (a channel's rate limit, a digest),
  // so every pending row is previewed, and the filters apply after.
  notify::OutboxQuery pending;
  pending.state = OutboxState::kPending;
  pending.limit = 100000;
  auto queue = outbox.List(pending);
  if (!queue) return ctx.Fail(queue.error());
  std::map<std::int64_t, notify::RowVerdict> previewed;
  for (auto& v : dispatcher.Preview(*queue, at)) previewed[v.row.id] = std::move(v);
  std::vector<notify::RowVerdict> verdicts = dispatcher.Preview(*rows, at);
  for (auto& v : verdicts) {
    if (auto it = previewed.find(v.row.id); it != previewed.end()) v = it->second;
  }
  if (st == "queued" || st == "held") {
    std::erase_if(verdicts, [&](const notify::RowVerdict& v) { return ListedState(v) != st; });
  }
  if (ctx.format() == Format::kText && verdicts.empty()) {
    ctx.out << "no messages in the outbox" << (st.empty() ? "" : " in state " + st)
            << (o.item.empty() ? "" : " of item " + o.item)
            << (o.person.empty() ? "" : " to " + o.person) << "\n";
    return;
  }
  std::vector<std::int64_t> ids;
  for (const auto& v : verdicts) ids.push_back(v.row.id);
  auto receipts = outbox.ReceiptsOf(ids);
  if (!receipts) return ctx.Fail(receipts.error());
  WriteOutboxRows(ctx, verdicts, s.calendar.get(), *receipts);
}

}  // namespace

void RegisterOutbox(CLI::App& app, Context& ctx) {
  auto* outbox = app.add_subcommand("outbox", "Look at the notification outbox");
  outbox->require_subcommand(1);
  auto* list = outbox->add_subcommand(
      "list",
      "The outbox's messages: state, the rule that holds each (working hours, daily digest, rate "
      "limit, backoff after a failed attempt, not yet due) and when it will go. Reads only");
  auto o = std::make_shared<OutboxListOptions>();
  AddNotifyOptions(list, o->notify);
  AddDefinitionOptions(list, o->notify.definitions);
  SupportFormats(ctx, list, {"json", "jsonl", "csv"});
  list->add_option("--item", o->item, "Only the messages of this item");
  list->add_option("--person", o->person, "Only the messages to this person (or unit)");
  list->add_option("--state", o->state, "Only the messages in this state")
      ->check(CLI::IsMember({"queued", "held", "pending", "sent", "dead", "cancelled"}));
  list->add_option("--at", o->at,
                   "Say what holds each message at this instant (ISO 8601 with an offset); "
                   "default: now");
  list->add_option("--limit", o->limit, "At most this many messages (default 1000)");
  list->callback([&ctx, o] { RunList(ctx, *o); });
}

}  // namespace rectify::cli
