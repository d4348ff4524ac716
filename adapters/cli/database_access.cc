#include "adapters/cli/database_access.h"

namespace rectify::cli {

Result<OpenedDatabase> OpenDatabase(const Context& ctx, bool create) {
  auto url = store_soci::ParseDatabaseUrl(ctx.DatabaseUrl());
  if (!url) return url.error();
  bool is_default = ctx.db_url.empty() && !ctx.getenv("RECTIFY_DB").value_or("").size();
  store_soci::OpenOptions options;
  options.create = create;
  options.create_folder = is_default && create;
  auto db = store_soci::Database::Open(*url, options);
  if (!db) return db.error();
  return OpenedDatabase{*url, std::move(*db)};
}

std::string MigrationsDir(const Context& ctx, const std::string& flag) {
  if (!flag.empty()) return flag;
  return ctx.Home() + "/migrations";
}

}  // namespace rectify::cli
