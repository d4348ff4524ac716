// rectify status: which database, its schema version and pending migrations, and its counts.
#include <boost/json.hpp>

#include "adapters/cli/cli.h"
#include "adapters/cli/database_access.h"
#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_outbox_store.h"
#include "adapters/store/soci/soci_store.h"
#include "rectify/clock.h"

namespace rectify::cli {

namespace {

constexpr const char* kOutboxStates[] = {"pending", "sent", "dead", "cancelled"};

// A notification that reached nobody (an audit row `no_recipient`, engine/src/engine/step.h), on
// an item still in the state it was about: an error someone must fix.
struct Unreached {
  std::string item;
  Timestamp at;
  std::string reason;
};

// How many there are, and the first `limit` of them, oldest first.
Result<std::pair<std::int64_t, std::vector<Unreached>>> UnreachedNotices(store_soci::Database& db,
                                                                         int limit) {
  const std::string from =
      " FROM audit_log a JOIN instances i ON i.id = a.instance_id"
      " WHERE a.event = 'no_recipient' AND a.to_state = i.state";
  try {
    soci::session& sql = db.session();
    long long count = 0;
    sql << "SELECT COUNT(*)" + from, soci::into(count);
    std::vector<Unreached> first;
    std::string item, reason;
    long long at = 0;
    soci::statement st =
        (sql.prepare << "SELECT a.instance_id, a.at, a.reason" + from +
                            " ORDER BY a.at, a.instance_id, a.seq LIMIT " + std::to_string(limit),
         soci::into(item), soci::into(at), soci::into(reason));
    st.execute();
    while (st.fetch()) first.push_back({item, FromMicros(at), reason});
    return std::make_pair(static_cast<std::int64_t>(count), std::move(first));
  } catch (const std::exception& e) {
    return db.MapError(e, "read notifications that reached nobody");
  }
}

void RunStatus(Context& ctx, const std::string& migrations_flag) {
  auto opened = OpenDatabase(ctx, /*create=*/false);
  if (!opened) return ctx.Fail(opened.error());
  std::string redacted = opened->url.Redacted();
  std::string backend(store_soci::BackendName(opened->url.backend));
  store_soci::Migrator migrator(*opened->db, MigrationsDir(ctx, migrations_flag));
  auto state = migrator.Check();
  if (!state) return ctx.Fail(state.error());
  if (state->version() == 0) {
    return ctx.Fail(Error::FailedPrecondition("the database " + redacted +
                                              " has no schema yet; run 'rectify migrate' first"));
  }
  // Deliveries (migration 0003): counts by lifecycle state and the dead letters.
  store_soci::Database& db = *opened->db;
  auto has_deliveries = db.TableExists("delivery_attempts");
  if (!has_deliveries) return ctx.Fail(has_deliveries.error());
  std::optional<notify::DeliveryCounts> deliveries;
  std::vector<OutboxRecord> dead_letters;
  if (*has_deliveries) {
    store_soci::SociOutboxStore outbox(db);
    SystemClock clock;
    auto c = outbox.Counts(clock.Now());
    if (!c) return ctx.Fail(c.error());
    deliveries = *c;
    auto dead = outbox.DeadLetters(10);
    if (!dead) return ctx.Fail(dead.error());
    dead_letters = std::move(*dead);
  }
  auto unreached = UnreachedNotices(db, 10);
  if (!unreached) return ctx.Fail(unreached.error());
  auto store = store_soci::MakeStore(std::move(opened->db));
  auto counts = store->Counts();
  if (!counts) return ctx.Fail(counts.error());
  auto outbox = [&](const char* s) {
    auto it = counts->outbox_by_state.find(s);
    return it == counts->outbox_by_state.end() ? std::int64_t{0} : it->second;
  };

  if (ctx.format() == Format::kJson || ctx.format() == Format::kJsonl) {
    boost::json::array pending;
    for (const auto& m : state->pending) pending.emplace_back(m.path);
    boost::json::object outbox_json;
    for (const char* s : kOutboxStates) outbox_json[s] = outbox(s);
    boost::json::object out{{"database", redacted},
                            {"backend", backend},
                            {"schema_version", state->version()},
                            {"pending_migrations", pending},
                            {"counts",
                             {{"definitions", counts->definitions},
                              {"units", counts->units},
                              {"people", counts->people},
                              {"instances", counts->instances},
                              {"pending_timers", counts->pending_timers},
                              {"outbox", outbox_json},
                              {"audit_rows", counts->audit_rows}}}};
    if (deliveries) {
      boost::json::array dead;
      for (const auto& r : dead_letters) {
        dead.push_back({{"outbox_id", r.id},
                        {"dedup_key", r.dedup_key},
                        {"recipient", r.recipient},
                        {"attempts", r.attempts},
                        {"last_error", r.last_error}});
      }
      out["deliveries"] = {
          {"queued", deliveries->queued},     {"waiting_to_retry", deliveries->waiting_to_retry},
          {"sending", deliveries->sending},   {"delivered", deliveries->delivered},
          {"dead_letters", deliveries->dead}, {"cancelled", deliveries->cancelled},
          {"attempts", deliveries->attempts}, {"first_dead_letters", dead}};
    }
    boost::json::array first_unreached;
    for (const auto& u : unreached->second) {
      first_unreached.push_back({{"item", u.item}, {"at", FormatIso(u.at)}, {"message", u.reason}});
    }
    out["no_recipient"] = {{"count", unreached->first}, {"first", first_unreached}};
    ctx.out << boost::json::serialize(out) << "\n";
    return;
  }
  ctx.out << "database:        " << redacted << " (" << backend << ")\n";
  ctx.out << "schema version:  " << state->version() << "\n";
  ctx.out << "pending:         " << state->pending.size() << " migration"
          << (state->pending.size() == 1 ? "" : "s");
  if (!state->pending.empty()) ctx.out << " (run 'rectify migrate')";
  ctx.out << "\n";
  ctx.out << "definitions:     " << counts->definitions << "\n";
  ctx.out << "units:           " << counts->units << "\n";
  ctx.out << "people:          " << counts->people << "\n";
  ctx.out << "instances:       " << counts->instances << "\n";
  ctx.out << "pending timers:  " << counts->pending_timers << "\n";
  ctx.out << "outbox:          ";
  const char* sep = "";
  for (const char* s : kOutboxStates) {
    ctx.out << sep << s << " " << outbox(s);
    sep = ", ";
  }
  ctx.out << "\n";
  ctx.out << "audit rows:      " << counts->audit_rows << "\n";
  // Never silent: a reminder or a letter that had nobody to go to is an error to fix.
  ctx.out << "no recipient:    " << unreached->first;
  if (unreached->first > 0) ctx.out << " ERROR: notifications that reached nobody";
  ctx.out << "\n";
  for (const auto& u : unreached->second) {
    ctx.out << "  " << u.item << " at " << FormatIso(u.at) << ": " << u.reason << "\n";
  }
  if (deliveries) {
    ctx.out << "deliveries:      queued " << deliveries->queued << ", waiting to retry "
            << deliveries->waiting_to_retry << ", sending " << deliveries->sending << ", delivered "
            << deliveries->delivered << ", cancelled " << deliveries->cancelled << " ("
            << deliveries->attempts << " attempts)\n";
    ctx.out << "dead letters:    " << deliveries->dead;
    if (deliveries->dead > 0) ctx.out << " (rectify report deliveries --dead lists them)";
    ctx.out << "\n";
    for (const auto& r : dead_letters) {
      ctx.out << "  #" << r.id << " " << r.dedup_key << " to " << r.recipient << " after "
              << r.attempts << " attempts: " << r.last_error << "\n";
    }
  }
}

}  // namespace

void RegisterStatus(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "status", "Show the database, its schema version, pending migrations and its counts");
  auto migrations = std::make_shared<std::string>();
  cmd->add_option("--migrations", *migrations,
                  "Folder of migration files (default: <RECTIFY_HOME>/migrations)");
  SupportFormats(ctx, cmd, {"json", "jsonl"});
  cmd->callback([&ctx, migrations] { RunStatus(ctx, *migrations); });
}

}  // namespace rectify::cli
