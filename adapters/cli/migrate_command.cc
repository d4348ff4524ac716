// rectify migrate: applies the pending migrations (adapters/store/soci/migrator.h).
#include <ostream>

#include "adapters/cli/cli.h"
#include "adapters/cli/database_access.h"
#include "adapters/store/soci/migrator.h"

namespace rectify::cli {

namespace {

void RunMigrate(Context& ctx, const std::string& migrations_flag) {
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
    return;
  }
  ctx.out << "schema is now at version " << applied->back().version << " ("
          << opened->url.Redacted() << ")\n";
}

}  // namespace

void RegisterMigrate(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "migrate", "Apply pending database migrations (running it twice changes nothing)");
  auto migrations = std::make_shared<std::string>();
  cmd->add_option("--migrations", *migrations,
                  "Folder of migration files (default: <RECTIFY_HOME>/migrations)");
  cmd->callback([&ctx, migrations] { RunMigrate(ctx, *migrations); });
}

}  // namespace rectify::cli
