// MayRead and UnitsInScope (access.h): who may read an item.
#include <algorithm>

#include "rectify/engine/access.h"

namespace rectify::engine {

using definition::Org;
using definition::PersonIndex;
using definition::UnitIndex;

namespace {

// Calls `f` with each person `instance` names (possibly twice); stops when it returns true.
template <typename F>
bool AnyNamed(const definition::Workflow& workflow, const Instance& instance, F f) {
  if (f(std::string_view(instance.responsible)) || f(std::string_view(instance.registrar)) ||
      f(std::string_view(instance.owner))) {
    return true;
  }
  for (const auto& [name, value] : instance.fields) {
    auto field = workflow.FindField(name);
    if (!field) continue;
    auto type = workflow.fields()[static_cast<std::size_t>(*field)].type;
    if (type != definition::FieldType::kPerson && type != definition::FieldType::kPeople) continue;
    // person: one id; people: ids separated by commas.
    std::size_t start = 0;
    while (start <= value.size()) {
      std::size_t end = value.find(',', start);
      if (end == std::string::npos) end = value.size();
      std::string_view part(value.data() + start, end - start);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
      if (f(part)) return true;
      start = end + 1;
    }
  }
  return false;
}

}  // namespace

namespace {

// The part both forms share: `named` says whether the instance names the reader.
template <typename Named>
bool MayReadWith(const Org& org, std::string_view instance_org, std::string_view unit_id,
                 Named named, const Reader& reader) {
  if (reader.admin) return true;
  if (reader.org != instance_org) return false;
  auto person = org.FindPerson(reader.person);
  if (!person) return false;
  if (named(reader.person)) return true;
  auto unit = org.FindUnit(unit_id);
  return unit && org.Within(*unit, ScopeOf(org, *person));
}

}  // namespace

bool MayRead(const Org& org, const definition::Workflow& workflow, const Instance& instance,
             const Reader& reader) {
  return MayReadWith(
      org, instance.org, instance.record.unit_id,
      [&](const std::string& id) {
        return AnyNamed(workflow, instance, [&](std::string_view p) { return p == id; });
      },
      reader);
}

bool MayRead(const Org& org, std::string_view instance_org, std::string_view unit_id,
             const std::vector<std::string>& named, const Reader& reader) {
  return MayReadWith(
      org, instance_org, unit_id,
      [&](const std::string& id) { return std::binary_search(named.begin(), named.end(), id); },
      reader);
}

std::vector<std::string> NamedPeople(const definition::Workflow& workflow,
                                     const Instance& instance) {
  std::vector<std::string> out;
  AnyNamed(workflow, instance, [&](std::string_view p) {
    if (!p.empty()) out.emplace_back(p);
    return false;
  });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> UnitsInScope(const Org& org, PersonIndex person) {
  std::vector<std::string> out;
  std::vector<UnitIndex> stack{ScopeOf(org, person)};
  while (!stack.empty()) {
    UnitIndex u = stack.back();
    stack.pop_back();
    out.push_back(org.unit(u).id);
    const auto& children = org.unit(u).children;
    for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(*it);
  }
  return out;
}

}  // namespace rectify::engine
