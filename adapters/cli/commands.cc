// The list of subcommands. Each Register* function lives in its own *_command.cc.
#include "adapters/cli/cli.h"

namespace rectify::cli {

void RegisterMigrate(CLI::App& app, Context& ctx);
void RegisterStatus(CLI::App& app, Context& ctx);
void RegisterCalendar(CLI::App& app, Context& ctx);
void RegisterValidate(CLI::App& app, Context& ctx);
void RegisterExplain(CLI::App& app, Context& ctx);
void RegisterItem(CLI::App& app, Context& ctx);
void RegisterTick(CLI::App& app, Context& ctx);
void RegisterAudit(CLI::App& app, Context& ctx);
void RegisterCampaign(CLI::App& app, Context& ctx);
void RegisterSimulate(CLI::App& app, Context& ctx);
void RegisterServe(CLI::App& app, Context& ctx);
void RegisterLedger(CLI::App& app, Context& ctx);
void RegisterInstances(CLI::App& app, Context& ctx);
void RegisterReport(CLI::App& app, Context& ctx);
void RegisterIcs(CLI::App& app, Context& ctx);
void RegisterDispatch(CLI::App& app, Context& ctx);
void RegisterOutbox(CLI::App& app, Context& ctx);
void RegisterUser(CLI::App& app, Context& ctx);
void RegisterFinding(CLI::App& app, Context& ctx);
void RegisterAssessment(CLI::App& app, Context& ctx);
void RegisterCompare(CLI::App& app, Context& ctx);
void RegisterTask(CLI::App& app, Context& ctx);
void RegisterBulletin(CLI::App& app, Context& ctx);

void RegisterCommands(CLI::App& app, Context& ctx) {
  RegisterMigrate(app, ctx);
  RegisterStatus(app, ctx);
  RegisterValidate(app, ctx);
  RegisterExplain(app, ctx);
  RegisterCalendar(app, ctx);
  RegisterItem(app, ctx);
  RegisterTick(app, ctx);
  RegisterAudit(app, ctx);
  RegisterCampaign(app, ctx);
  RegisterSimulate(app, ctx);
  RegisterServe(app, ctx);
  RegisterLedger(app, ctx);
  RegisterInstances(app, ctx);
  RegisterReport(app, ctx);
  RegisterIcs(app, ctx);
  RegisterDispatch(app, ctx);
  RegisterOutbox(app, ctx);
  RegisterUser(app, ctx);
  RegisterFinding(app, ctx);
  RegisterAssessment(app, ctx);
  RegisterCompare(app, ctx);
  RegisterTask(app, ctx);
  RegisterBulletin(app, ctx);
}

}  // namespace rectify::cli
