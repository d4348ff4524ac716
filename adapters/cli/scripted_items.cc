// A scripted ledger read from a file and checked, its diagnostics printed (scripted_items.h).
#include "adapters/cli/scripted_items.h"

#include <fstream>
#include <sstream>

#include "adapters/cli/text_table.h"

namespace rectify::cli {

Result<std::vector<engine::Registration>> LoadScriptedLedger(Context& ctx, const std::string& path,
                                                             engine::Engine& engine,
                                                             const engine::CadreScript& script,
                                                             const definition::Campaign& campaign,
                                                             Timestamp until) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::BadInput("cannot read the ledger " + path + "; check the path");
  std::ostringstream text;
  text << in.rdbuf();
  Diagnostics diags;
  ProgressLine progress(ctx.err, "checking " + path);
  auto batch = rehearsal::CheckScriptedLedger(
      text.str(), path, engine, script, campaign, until, diags,
      [&](std::size_t done, std::size_t total) { progress.Update(done, total); });
  // A failure that is no row's problem (the database) is said alone, as before the check moved.
  if (!batch && !diags.has_errors()) return batch.error();
  ctx.err << diags.Format();
  return batch;
}

}  // namespace rectify::cli
