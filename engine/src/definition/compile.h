// The compilers of each kind and what they see of the set being built (private).
//
// The set builder (definition_set.cc) registers every document by kind, name and version, then
// compiles the kinds in dependency order: calendars, orgs, assessments, escalations, workflows,
// campaigns. A compiler reads one document through MapReader (reporting every mistake), resolves
// names through the `Linker`, and returns the compiled definition, or nullptr when the document
// had an error. A definition that failed to compile still counts as existing, so a reference to
// it is not reported again: one mistake, one message.
//
// Thread-safety: single-threaded, like loading.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "node_reader.h"
#include "rectify/calendar/calendar.h"
#include "rectify/calendar/span.h"
#include "rectify/definition/assessment.h"
#include "rectify/definition/campaign.h"
#include "rectify/definition/common.h"
#include "rectify/definition/comparison.h"
#include "rectify/definition/escalation.h"
#include "rectify/definition/ledger_kind.h"
#include "rectify/definition/org.h"
#include "rectify/definition/workflow.h"
#include "rectify/notify/channels_config.h"

namespace rectify::definition::internal {

struct RawDefinition {
  DefinitionInfo info;
  YAML::Node root;
  std::string file;
};

// Role names that paths may use, gathered from the set.
struct RoleVocabulary {
  bool have_org = false;
  std::vector<std::string> roles;       // every role held in any org
  std::vector<std::string> unit_kinds;  // every kind allowed in any org
  std::vector<std::string> unit_ids;
  std::vector<std::string> person_ids;
  std::vector<std::string> person_fields;  // person/people fields of any workflow
};

class Linker {
 public:
  virtual ~Linker() = default;

  // Resolves `node` (a name, or name@version) to a definition of `kind` in the set; reports an
  // unknown name (with "did you mean") or a missing version.
  virtual std::optional<Ref> Resolve(DocContext& doc, Kind kind, const YAML::Node& node,
                                     const std::string& path) = 0;

  // The compiled definitions; null when the definition failed to compile.
  virtual std::shared_ptr<const Calendar> GetCalendar(const Ref& ref) const = 0;
  virtual std::shared_ptr<const Org> GetOrg(const Ref& ref) const = 0;
  virtual std::shared_ptr<const Workflow> GetWorkflow(const Ref& ref) const = 0;
  virtual std::shared_ptr<const Escalation> GetEscalation(const Ref& ref) const = 0;
  virtual std::shared_ptr<const Assessment> GetAssessment(const Ref& ref) const = 0;
  virtual std::shared_ptr<const Campaign> GetCampaign(const Ref& ref) const = 0;
  virtual std::shared_ptr<const LedgerKind> GetLedgerKind(const Ref& ref) const = 0;

  virtual const RoleVocabulary& vocabulary() const = 0;
};

// A campaign's `calendar_changes:` (campaign_calendar.cc): fills parts.calendar_changes and
// parts.item_calendar. Needs parts' calendar, span and checkpoints read first.
void ReadCalendarChanges(DocContext& doc, const YAML::Node& node, Campaign::Parts& parts,
                         bool have_span);

// Keys every document may carry; each compiler allows them.
void AllowHeaderKeys(MapReader& m);

std::shared_ptr<const Org> CompileOrg(DocContext& doc, const RawDefinition& raw);
std::shared_ptr<const LedgerKind> CompileLedgerKind(DocContext& doc, const RawDefinition& raw,
                                                    Linker& linker);
// kind: comparison (comparison_compiler.cc); compiled after the ledgers and campaigns it names.
std::shared_ptr<const Comparison> CompileComparison(DocContext& doc, const RawDefinition& raw,
                                                    Linker& linker);
std::shared_ptr<const Assessment> CompileAssessment(DocContext& doc, const RawDefinition& raw,
                                                    Linker& linker);
std::shared_ptr<const Escalation> CompileEscalation(DocContext& doc, const RawDefinition& raw,
                                                    Linker& linker);
std::shared_ptr<const Workflow> CompileWorkflow(DocContext& doc, const RawDefinition& raw,
                                                Linker& linker);
std::shared_ptr<const Campaign> CompileCampaign(DocContext& doc, const RawDefinition& raw,
                                                Linker& linker);
// kind: channels (channels_compiler.cc).
std::shared_ptr<const notify::ChannelsConfig> CompileChannels(DocContext& doc,
                                                              const RawDefinition& raw,
                                                              Linker& linker);

// Which forms a role path may take where it is used.
enum class RoleUse {
  kActor,   // by: (may be system or public)
  kTarget,  // notify:, owner: (people to reach)
};

// Parses and checks one role path against `vocab` (+ the workflow's own person fields, when
// compiling a workflow). Reports mistakes and returns nullopt for them.
std::optional<RolePath> ParseRolePath(DocContext& doc, const YAML::Node& node,
                                      const std::string& path, const RoleVocabulary& vocab,
                                      const std::vector<std::string>& fields, RoleUse use);
std::vector<RolePath> ParseRolePaths(DocContext& doc, const YAML::Node& node,
                                     const std::string& path, const RoleVocabulary& vocab,
                                     const std::vector<std::string>& fields, RoleUse use);

// A span (10wd, -5wd, 3d, P1M, 4h, 0) at `node`; reports the calendar module's message.
std::optional<Span> ReadSpan(DocContext& doc, const YAML::Node& node, const std::string& path);

// A rough length in hours, to compare spans of different kinds (a working day counts as 1.4
// calendar days: five working days to a week). Only for ordering checks, never for deadlines.
double NominalHours(const Span& span);

// Reports an error for `d` when `cal` does not cover it; returns whether it does.
bool CheckCovered(DocContext& doc, const YAML::Node& node, const std::string& path,
                  const Calendar* cal, Date d);

}  // namespace rectify::definition::internal
