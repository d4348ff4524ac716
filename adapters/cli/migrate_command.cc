// rectify migrate: applies the pending migrations (adapters/store/soci/migrator.h), then fills
// what a migration added but SQL cannot compute: the list columns of items written before them
// (engine::ProjectOldInstances, which needs each item's definitions).
#include <ostream>

#include "adapters/cli/cli.h"
#include "adapters/cli/database_access.h"
#include "adapters/cli/engine_access.h"
#include "adapters/store/soci/migrator.h"
#include "rectify/engine/item_view.h"

namespace rectify::cli {

namespace {

// Projects the items written before the list columns existed. An item whose definitions are not
// loaded stays a candidate of every list (correct, only slower) until a run that loads them.
void ProjectOldItems(Context& ctx, const DefinitionSources& sources) {
  auto session = OpenEngine(ctx, sources, "", Access::kReadOnly);
  if (!session) return ctx.Fail(session.error());
  auto report = engine::ProjectOldInstances(*(*session)->store, (*session)->engine->interpreter(),
                                            (*session)->clock->Now());
  if (!report) return ctx.Fail(report.error());
  if (report->projected > 0) {
    ctx.out << "projected " << report->projected << " items for lists\n";
  }
  if (report->unbound > 0) {
    ctx.out << report->unbound
            << " items run on definitions that are not loaded; they are projected when "
               "'rectify migrate --definitions DIR' loads them\n";
  }
}

void RunMigrate(Context& ctx, const std::string& migrations_flag,
                const DefinitionSources& sources) {
  auto opened = OpenDatabase(ctx, /*create=*/true);
  if (!opened) return ctx.Fail(opened.error());
  store_soci::Migrator migrator(*opened->db, MigrationsDir(ctx, migrations_flag));
  SystemClock clock;
  auto applied = migrator.Migrate(clock.Now(), [&ctx](const store_soci::MigrationFile& m) {
    ctx.out << "applied " << m.path << "\n" << std::flush;
  });
  if (!applied) return ctx.Fail(applied.error());
  if (applied->empty()) {
    auto state = migrator.Check();
    if (!state) return ctx.Fail(state.error());
    ctx.out << "schema is up to date at version " << state->version() << "\n";
  } else {
    ctx.out << "schema is now at version " << applied->back().version << " ("
            << opened->url.Redacted() << ")\n";
  }
  opened->db.reset();
  ProjectOldItems(ctx, sources);
}

}  // namespace

void RegisterMigrate(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "migrate", "Apply pending database migrations (running it twice changes nothing)");
  auto migrations = std::make_shared<std::string>();
  cmd->add_option("--migrations", *migrations,
                  "Folder of migration files (default: <RECTIFY_HOME>/migrations)");
  auto sources = std::make_shared<DefinitionSources>();
  AddDefinitionOptions(cmd, *sources);
  cmd->callback([&ctx, migrations, sources] { RunMigrate(ctx, *migrations, *sources); });
}

}  // namespace rectify::cli
