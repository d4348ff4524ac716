// Who may take a transition, and whom a role path names (DESIGN.md section 4, "Access").
//
// A role path (`by:` of a transition, `notify:` of a reminder or escalation step) names people:
//   responsible, registrar, owner     the person recorded on the item
//   verifier (a person/people field)  the people the item's field names; when the item leaves the
//                                     field empty, the org role of the same name (as inspector)
//   inspector (an org role)           holders of the role whose scope covers the item's unit
//   unit.head, unit.parent.leader     holders at the unit the path lands on (Org::Resolve)
//   discipline_committee[.head]       the committee that manages the responsible cadre
//   person:ID                          that person
//
// A person's scope is their unit and the units under it; people of a county's functional bodies
// (headquarters, office, department, discipline committee, inspection group, acceptance team)
// work for the whole county, so their scope is the parent unit. An org role only counts for an
// item inside the holder's scope: the inspector of one county cannot assign another county's
// item, and a township head cannot act on another township's item.
//
// An org role, and a person field the item leaves empty, name:
//   - for who may act (CheckActor): every holder of the role whose scope covers the item's unit,
//     and whoever a unit at or above the item's unit lists for the role;
//   - for whom to tell and who owns a deadline (ResolvePeople): the holders at the nearest level
//     up from the item's unit, that is the first unit U, walking from the item's unit to the
//     root, that lists holders of the role or whose people (ScopeOf == U) hold it.
// So an item imported without a verifier is verified by the org's verifiers for its unit, and
// told to them; when nobody holds the role, ResolvePeople is empty and NobodyReason says why.
//
// Thread-safety: pure functions over immutable definitions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rectify/definition/org.h"
#include "rectify/definition/workflow.h"
#include "rectify/engine/instance.h"
#include "rectify/result.h"

namespace rectify::engine {

// The unit whose subtree a person's org roles cover.
definition::UnitIndex ScopeOf(const definition::Org& org, definition::PersonIndex person);

// Whether `actor` holds org role `role` with `unit` inside their scope, or is listed for the role
// at `unit` or a unit above it (the assessment's roles, engine/assessment.h, ask here too).
bool HoldsRoleFor(const definition::Org& org, definition::PersonIndex actor,
                  const std::string& role, definition::UnitIndex unit);

// "徐文波 (xs-0012)" for a person id, or the id itself when the org does not know it.
std::string PersonLabel(const definition::Org& org, const std::string& person_id);
// "酿溪镇 (niangxi)".
std::string UnitLabel(const definition::Org& org, const std::string& unit_id);

// The person ids `path` names for `instance`, in org order, without duplicates.
std::vector<std::string> ResolvePeople(const definition::Org& org,
                                       const definition::Workflow& workflow,
                                       const Instance& instance, const definition::RolePath& path);

// Why `path` names nobody for `instance` ("item Q-1 names no verifier, and nobody in org xinshao
// holds the role verifier for 酿溪镇 (niangxi)"), for messages; call it when ResolvePeople is
// empty.
std::string NobodyReason(const definition::Org& org, const definition::Workflow& workflow,
                         const Instance& instance, const definition::RolePath& path);
// What to do about it (name the item's verifier with --set on an event someone can take; give
// someone the role in a new version of the org); empty when there is no general advice.
std::string NobodyHint(const definition::Org& org, const definition::Workflow& workflow,
                       const definition::RolePath& path);

// Whether `actor` may take `transition` on `instance`: OK, or kPermissionDenied with a message
// that names the actor, the item and who may.
Status CheckActor(const definition::Org& org, const definition::Workflow& workflow,
                  const Instance& instance, const definition::Transition& transition,
                  const std::string& actor);

// Who may read an item: the API and the CLI ask here, so a page never decides what a person sees.
// An administrator reads everything; a person of an org reads the items of that org whose unit is
// within their scope (ScopeOf: their unit and the units under it; the whole county for its
// functional bodies, so headquarters, the discipline committee and an inspection group see the
// county), and any item of that org that names them (responsible, registrar, owner, or a person
// field such as verifier), wherever its unit is.
struct Reader {
  std::string person;  // a person id of `org`
  std::string org;     // the org's name
  bool admin = false;
};
bool MayRead(const definition::Org& org, const definition::Workflow& workflow,
             const Instance& instance, const Reader& reader);
// The same decision from what an item list keeps of an instance: the name of its org, its unit,
// and the people it names (NamedPeople: sorted, each once).
bool MayRead(const definition::Org& org, std::string_view instance_org, std::string_view unit_id,
             const std::vector<std::string>& named, const Reader& reader);

// Everyone `instance` names, whom MayRead lets read it wherever its unit is: responsible,
// registrar, owner and the people of its person and people fields; sorted, each once.
std::vector<std::string> NamedPeople(const definition::Workflow& workflow,
                                     const Instance& instance);

// The ids of the units a person's scope covers, for listing: ScopeOf and every unit below it,
// in tree order.
std::vector<std::string> UnitsInScope(const definition::Org& org, definition::PersonIndex person);

}  // namespace rectify::engine
