// The ledger that scripted cadres register in a rehearsal (`rectify simulate --items`, `rectify
// serve --items`, POST /api/v1/rehearsals). It is read and checked exactly as `rectify ledger
// import` checks a ledger (engine/ledger.h: ParseLedger, CSV or XLSX, the same columns, Chinese
// headers and row:col messages), and then each row, as the script will register and assign it,
// goes through the import's own checks as a dry run (ImportLedgerRegistrations: the database's
// ids, the interpreter). So a wrong row stops the run before anything runs, rather than being
// skipped when its time comes.
//
// What differs from an import, because the script plays the registrars: a date in registered_at
// is 09:00 that day (offices open), each row is registered by a registrar of its unit, a row
// without a time limit takes the campaign's `items.time_limit`, and a row's `campaign` cell, when
// it has one, must name the campaign that runs. A row registered after the run ends (`until`) is
// a warning, since it never appears in the run.
//
// Thread-safety: the caller's thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "rectify/diagnostics.h"
#include "rectify/engine/campaign_script.h"

namespace rectify::rehearsal {

// The shares of a behaviour are each between 0 and 1, and on_time + late at most 1 (kBadInput
// naming the option, e.g. --on-time, otherwise).
Status CheckBehaviour(const engine::CadreBehaviour& b);

// The registrations of the ledger `content` (named `file` in the diagnostics) to hand to
// CadreScript::AddLedger. Every problem goes into `diags` (sorted); kBadInput ("FILE: N errors;
// nothing was run") when any row is wrong. `progress`, when given, is told how far the dry run
// has come on a ledger of 100 rows or more.
Result<std::vector<engine::Registration>> CheckScriptedLedger(
    const std::string& content, const std::string& file, engine::Engine& engine,
    const engine::CadreScript& script, const definition::Campaign& campaign, Timestamp until,
    Diagnostics& diags, const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace rectify::rehearsal
