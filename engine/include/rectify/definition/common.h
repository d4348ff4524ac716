// What every compiled definition shares: its identity (kind, name, version, content hash),
// references by name, role paths resolved over the org tree, and escalation measures.
//
// A definition is named within its kind and versioned: `rectification-item` version 2 is a
// different definition from version 1, and both may be loaded at once (running instances stay on
// the version they started with). A reference written `rectification-item` means the highest
// version in the set; `rectification-item@1` pins one.
//
// The content hash is the SHA-256 of the definition's canonical form (see canonical.h): the
// parsed document with comments, layout, key order, quoting and anchors removed. Reformatting a
// file keeps the hash; changing any value changes it.
//
// Thread-safety: immutable values once compiled; share them freely.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/diagnostics.h"

namespace rectify::definition {

enum class Kind {
  kCalendar,
  kOrg,
  kWorkflow,
  kEscalation,
  kCampaign,
  kAssessment,
  kChannels,
  kLedger,      // a typed ledger's columns (ledger_kind.h)
  kComparison,  // two data sets matched by key, and the rules of clues (comparison.h)
};

std::string_view KindName(Kind kind);
std::optional<Kind> ParseKind(std::string_view text);
// The kinds a file may declare, for messages.
const std::vector<std::string>& KindNames();

struct DefinitionInfo {
  Kind kind = Kind::kWorkflow;
  std::string name;
  int version = 1;
  std::string title;        // `title:`, for people; may be empty
  std::string description;  // `description:`; may be empty
  std::string hash;         // lowercase hex SHA-256 of the canonical form
  SourcePos pos;            // where the document starts

  // "workflow rectification-item@1"
  std::string Label() const;
};

// A resolved reference to another definition.
struct Ref {
  Kind kind = Kind::kWorkflow;
  std::string name;
  int version = 0;  // the concrete version resolved at compile time; 0 when unresolved

  bool resolved() const { return version > 0; }
  std::string Label() const;  // "rectification-item@1"
};

// Splits "name@3" into ("name", 3); without '@' the version is 0 (the latest).
struct NameVersion {
  std::string name;
  int version = 0;
};
std::optional<NameVersion> ParseNameVersion(std::string_view text);

// Who a transition may be taken by, whom a reminder or an escalation step notifies, who owns a
// follow-up task: a path over the item and the org tree, checked at compile time and resolved
// by the engine against the item's unit and responsible person (Org::Resolve).
//
//   responsible                 the item's responsible person (also registrar, reporter, owner)
//   verifier                    a person (or people) field declared by the workflow, or an org
//                               role held by people (inspector, verifier, ...)
//   unit                        the item's responsible unit (its contacts, else its head)
//   unit.head                   the holders of role `head` at the responsible unit
//   unit.parent.leader          ... at its parent unit (`parent` may repeat)
//   unit.county.head            ... at the nearest enclosing unit of kind `county`
//   discipline_committee        the discipline committee that manages the responsible person
//   discipline_committee.head   its head
//   org:xinshao-fpo.head        a fixed unit by id, optionally a role there
//   person:p-0001               a fixed person by id
//   system, public              the engine itself (timers); anyone, unauthenticated (intake)
struct RolePath {
  enum class Base {
    kSystem,
    kPublic,
    kItemRole,
    kNamed,  // a workflow person field or an org role; which is decided by the workflow
    kUnit,
    kDisciplineCommittee,
    kFixedUnit,
    kPerson,
  };

  Base base = Base::kItemRole;
  std::string name;           // kItemRole/kNamed: the role; kFixedUnit: unit id; kPerson: id
  int parent_steps = 0;       // kUnit: how many `.parent`
  std::string ancestor_kind;  // kUnit: then the nearest enclosing unit of this kind
  std::string role;           // a unit role at the end ("head"); empty: the unit itself
  std::string text;           // as written
  SourcePos pos;

  bool is_field = false;  // kNamed resolved to a workflow field (else an org role)
};

inline constexpr std::string_view kItemRoles[] = {"responsible", "registrar", "reporter", "owner"};

// The escalation measures of seed 002, from mildest to most severe.
enum class Measure {
  kNotice,             // a plain notification
  kReminderLetter,     // 提醒函
  kSupervisionLetter,  // 督办函
  kSuggestionLetter,   // 建议函
  kWorkInterview,      // 工作约谈
  kWarningInterview,   // 警示约谈
  kSuspendPayment,     // 暂停拨付
  kInformedCriticism,  // 通报批评
  kAccountability,     // 问责处理
};

std::string_view MeasureName(Measure m);   // "reminder_letter"
std::string_view MeasureLabel(Measure m);  // "reminder letter (提醒函)"
std::optional<Measure> ParseMeasure(std::string_view text);
const std::vector<std::string>& MeasureNames();
// How severe a measure is; steps should not get milder as an escalation goes on.
int Severity(Measure m);

}  // namespace rectify::definition
