// What `rectify simulate` and `rectify serve` share: the definitions with the campaign to run
// (named, or given as a file), a migrated database whose SOCI session stays reachable for the
// timeline, and a Store on it.
//
// A campaign file (relative to the working directory) is loaded with the definitions in force
// (definition_sources.h), so it may use the library's org, calendar and workflows.
//
// Thread-safety: the command's thread. Ownership: the session owns the store, which owns the
// database `sql` points into.
#pragma once

#include <memory>
#include <string>

#include "adapters/cli/cli.h"
#include "adapters/cli/definition_sources.h"
#include "adapters/store/soci/database.h"
#include "rectify/definition/definition_set.h"
#include "rectify/store.h"

namespace rectify::cli {

struct CampaignSession {
  std::shared_ptr<const definition::DefinitionSet> definitions;
  std::shared_ptr<const definition::Campaign> campaign;
  store_soci::Database* db = nullptr;  // owned by `store`
  std::unique_ptr<Store> store;
};

// `campaign`: a name, or a path to a campaign file. `url`: the database; migrated first when
// `migrate` (at `now`), else it must be migrated already.
Result<std::unique_ptr<CampaignSession>> OpenCampaignSession(Context& ctx, const std::string& url,
                                                             const DefinitionSources& definitions,
                                                             const std::string& campaign,
                                                             bool migrate, Timestamp now);

// A date ("2017-04-21", the start of that day on `cal`) or an ISO 8601 instant.
Result<Timestamp> ParseWhen(const std::string& text, const Calendar& cal, bool end_of_day);

}  // namespace rectify::cli
