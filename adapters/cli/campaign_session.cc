#include "adapters/cli/campaign_session.h"

#include <filesystem>

#include "adapters/cli/database_access.h"
#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_store.h"

namespace rectify::cli {

namespace fs = std::filesystem;

Result<Timestamp> ParseWhen(const std::string& text, const Calendar& cal, bool end_of_day) {
  if (auto d = ParseDate(text); d) return end_of_day ? cal.EndOfDay(*d) : cal.StartOfDay(*d);
  auto t = ParseIso(text);
  if (!t) {
    return Error::BadInput("'" + text +
                           "' is neither a date (2017-07-31) nor an ISO 8601 instant "
                           "(2017-07-31T18:00:00+08:00)");
  }
  return *t;
}

Result<std::unique_ptr<CampaignSession>> OpenCampaignSession(Context& ctx, const std::string& url,
                                                             const DefinitionSources& definitions,
                                                             const std::string& campaign,
                                                             bool migrate, Timestamp now) {
  auto session = std::make_unique<CampaignSession>();
  bool is_file = campaign.find('/') != std::string::npos || campaign.ends_with(".yaml") ||
                 campaign.ends_with(".yml");
  std::error_code ec;
  if (is_file && !fs::is_regular_file(campaign, ec)) {
    return Error::BadInput("no campaign file " + campaign);
  }
  // A campaign file is read from where the user stands, with the definitions in force.
  std::vector<std::string> files;
  if (is_file) files.push_back(campaign);
  auto set = LoadDefinitionSources(ctx, definitions, files);
  if (!set) return set.error();
  session->definitions = *set;
  std::string name = campaign;
  if (is_file) {
    name.clear();
    for (const auto& info : (*set)->All()) {
      if (info.kind == definition::Kind::kCampaign && fs::equivalent(info.pos.file, campaign, ec)) {
        name = info.name;
      }
    }
    if (name.empty()) return Error::BadInput(campaign + " defines no campaign (kind: campaign)");
  }
  session->campaign = (*set)->FindCampaign(name);
  if (!session->campaign) {
    std::string known;
    for (const auto& info : (*set)->All()) {
      if (info.kind == definition::Kind::kCampaign)
        known += (known.empty() ? "" : ", ") + info.name;
    }
    return Error::NotFound(NotLoaded(ctx, definitions, "campaign '" + name + "'").message() +
                           " (loaded: " + (known.empty() ? "none" : known) + ")");
  }
  auto parsed = store_soci::ParseDatabaseUrl(url);
  if (!parsed) return parsed.error();
  store_soci::OpenOptions options;
  options.create = migrate;
  auto db = store_soci::Database::Open(*parsed, options);
  if (!db) return db.error();
  if (migrate) {
    store_soci::Migrator migrator(**db, MigrationsDir(ctx, ""));
    auto applied = migrator.Migrate(now);
    if (!applied) return applied.error();
  } else {
    store_soci::Migrator migrator(**db, MigrationsDir(ctx, ""));
    auto state = migrator.Check();
    if (!state) return state.error();
    if (!state->pending.empty()) {
      return Error::FailedPrecondition("the database has pending migrations; run rectify migrate");
    }
  }
  session->db = db->get();
  session->store = store_soci::MakeStore(std::move(*db));
  return session;
}

}  // namespace rectify::cli
