// The ledger file that scripted cadres register in `rectify simulate --items` and `rectify serve
// --items` (the demo), read from disk and checked as adapters/rehearsal/scripted_ledger.h says,
// every diagnostic printed on ctx.err (a progress line while a long ledger is checked).
//
// Thread-safety: the command's thread.
#pragma once

#include <string>
#include <vector>

#include "adapters/cli/cli.h"
#include "adapters/rehearsal/scripted_ledger.h"
#include "rectify/engine/campaign_script.h"

namespace rectify::cli {

using rehearsal::CheckBehaviour;

// The registrations to hand to CadreScript::AddLedger. kBadInput ("FILE: N errors; nothing was
// run") when any row is wrong, after printing every problem.
Result<std::vector<engine::Registration>> LoadScriptedLedger(Context& ctx, const std::string& path,
                                                             engine::Engine& engine,
                                                             const engine::CadreScript& script,
                                                             const definition::Campaign& campaign,
                                                             Timestamp until);

}  // namespace rectify::cli
