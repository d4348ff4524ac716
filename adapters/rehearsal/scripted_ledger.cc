// The ledger a rehearsal's scripted cadres register, checked first (scripted_ledger.h).
#include "adapters/rehearsal/scripted_ledger.h"

#include <algorithm>

#include "rectify/calendar/span.h"
#include "rectify/engine/ledger.h"

namespace rectify::rehearsal {

Status CheckBehaviour(const engine::CadreBehaviour& b) {
  for (auto [name, v] :
       {std::pair{"--on-time", b.on_time}, std::pair{"--late", b.late},
        std::pair{"--reject", b.reject}, std::pair{"--look-back-fail", b.look_back_fail}}) {
    if (!(v >= 0 && v <= 1)) {
      return Error::BadInput(std::string(name) + " is a share between 0 and 1, e.g. 0.25");
    }
  }
  if (b.on_time + b.late > 1 + 1e-9) {
    return Error::BadInput("--on-time and --late add up to more than 1; the rest never submit");
  }
  return OkStatus();
}

Result<std::vector<engine::Registration>> CheckScriptedLedger(
    const std::string& content, const std::string& path, engine::Engine& engine,
    const engine::CadreScript& script, const definition::Campaign& campaign, Timestamp until,
    Diagnostics& diags, const std::function<void(std::size_t, std::size_t)>& progress) {
  // The rows' workflow, chain and time limit follow the precedence every registration does
  // (engine/campaign_items.h): a row's cells, then the campaign's items:, then the workflow's.
  engine::LedgerOptions options;
  options.file = path;
  options.campaign = campaign.info().name;
  options.assign_event.clear();  // the script assigns, as a registrar of each row's unit
  options.date_registered_at = std::chrono::hours(9);

  engine::Ledger ledger =
      engine::ParseLedger(content, engine.interpreter().definitions(), options, diags);
  auto column = [&](const char* name) {
    auto it = std::find(ledger.columns.begin(), ledger.columns.end(), name);
    return it == ledger.columns.end() ? 0 : static_cast<int>(it - ledger.columns.begin()) + 1;
  };
  const Calendar& cal = campaign.calendar();
  const engine::LedgerRow* first_after = nullptr;
  int after = 0;
  for (const engine::LedgerRow& row : ledger.rows) {
    if (row.item.campaign != campaign.info().name) {
      diags.Error({path, row.row, column("campaign")}, "campaign",
                  "the row belongs to campaign '" + row.item.campaign + "', and this run is " +
                      campaign.info().name + "'s",
                  "leave the cell empty, or run that campaign");
    }
    if (row.item.at >= until) {
      if (!first_after) first_after = &row;
      ++after;
    }
  }
  if (first_after) {
    diags.Warning({path, first_after->row, column("registered_at")}, "registered_at",
                  cal.FormatLocal(first_after->item.at) + " is after the run ends (" +
                      cal.FormatLocal(until) + "), so this row" +
                      (after > 1 ? " and " + std::to_string(after - 1) + " later ones are"
                                 : std::string(" is")) +
                      " not registered",
                  "run further (--until) to see them");
  }
  std::vector<engine::Registration> batch;
  if (!diags.has_errors()) {
    batch = script.Registrations(ledger);
    engine::ImportOptions check;
    check.dry_run = true;
    if (ledger.rows.size() >= 100 && progress) check.progress = progress;
    auto report = engine::ImportLedgerRegistrations(engine, ledger, batch, options, check, diags);
    if (!report && !diags.has_errors()) return report.error();
  }
  diags.Sort();
  if (diags.has_errors()) {
    return Error::BadInput(path + ": " + std::to_string(diags.error_count()) + " error" +
                           (diags.error_count() == 1 ? "" : "s") + "; nothing was run");
  }
  return batch;
}

}  // namespace rectify::rehearsal
