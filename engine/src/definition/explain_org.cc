// An org as text: its counts, roles, the whole unit tree, and the units nobody heads.
#include <map>
#include <sstream>

#include "explain_text.h"
#include "rectify/definition/explain.h"

namespace rectify::definition {

using internal::Join;

namespace {

bool HasHead(const Unit& u) {
  auto head = u.roles.find("head");
  return head != u.roles.end() && !head->second.empty();
}

void WriteUnit(std::ostream& out, const Org& org, UnitIndex i) {
  const Unit& u = org.unit(i);
  out << std::string(2 + 2 * static_cast<std::size_t>(u.depth), ' ') << u.id << "  " << u.name
      << " (" << u.kind;
  if (!u.children.empty()) out << ", " << u.children.size() << " below";
  out << ")";
  if (HasHead(u)) {
    out << "  head " << org.person(u.roles.at("head").front()).name;
  } else {
    out << "  no head!";
  }
  if (u.discipline_committee != kNoIndex &&
      (u.parent == kNoIndex || org.unit(u.parent).discipline_committee != u.discipline_committee)) {
    out << "  discipline: " << org.unit(u.discipline_committee).id;
  }
  out << "\n";
  for (UnitIndex c : u.children) WriteUnit(out, org, c);
}

}  // namespace

std::string ExplainOrg(const Org& org) {
  std::ostringstream out;
  out << internal::Heading(org.info()) << "\n";
  std::map<std::string, int> kinds;
  for (const auto& u : org.units()) ++kinds[u.kind];
  out << "  " << org.units().size() << " units, " << org.people().size() << " people\n";
  for (const auto& [kind, n] : kinds) out << "    " << kind << ": " << n << "\n";
  out << "  roles: " << Join(org.roles(), ", ") << "\n\n";
  // The whole tree, each unit under its parent, with its head.
  if (!org.units().empty()) WriteUnit(out, org, 0);
  // A unit nobody heads: a step that notifies `unit.head` there reaches nobody.
  std::vector<std::string> headless;
  for (const auto& u : org.units()) {
    if (!HasHead(u)) headless.push_back(u.id + " (" + u.name + ")");
  }
  if (!headless.empty()) {
    out << "\nwarning: " << headless.size() << " unit" << (headless.size() == 1 ? " has" : "s have")
        << " no head, so what notifies unit.head there reaches nobody: " << Join(headless, ", ")
        << "\n  give each a person with 'roles: [head]' in " << org.info().pos.file << "\n";
  }
  return out.str();
}

}  // namespace rectify::definition
