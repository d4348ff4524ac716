// The ledger that scripted cadres register in `rectify simulate --items` and `rectify serve
// --items` (the demo). It is read and checked exactly as `rectify ledger import` checks a ledger
// (engine/ledger.h: ParseLedger, the same columns, Chinese headers and row:col messages), and
// then each row, as the script will register and assign it, goes through the import's own checks
// as a dry run (ImportLedgerRegistrations: the database's ids, the interpreter). So a wrong row
// stops the command before anything runs, rather than being skipped when its time comes.
//
// What differs from an import, because the script plays the registrars: a date in registered_at
// is 09:00 that day (offices open), each row is registered by a registrar of its unit, a row
// without a time limit takes the campaign's `items.time_limit`, and a row's `campaign` cell, when
// it has one, must name the campaign that runs.
//
// Every diagnostic is printed on ctx.err; a row registered after the run ends (`until`) is a
// warning, since it never appears in the run.
//
// Thread-safety: the command's thread.
#pragma once

#include <string>
#include <vector>

#include "adapters/cli/cli.h"
#include "rectify/engine/campaign_script.h"

namespace rectify::cli {

// The shares of a behaviour are each between 0 and 1, and on_time + late at most 1 (kBadInput
// naming the option, e.g. --on-time, otherwise).
Status CheckBehaviour(const engine::CadreBehaviour& b);

// The registrations to hand to CadreScript::AddLedger. kBadInput ("FILE: N errors; nothing was
// run") when any row is wrong, after printing every problem.
Result<std::vector<engine::Registration>> LoadScriptedLedger(Context& ctx, const std::string& path,
                                                             engine::Engine& engine,
                                                             const engine::CadreScript& script,
                                                             const definition::Campaign& campaign,
                                                             Timestamp until);

}  // namespace rectify::cli
