// ItemIndex (item_index.h): the node's in-memory copy of the item lists, kept fresh by
// NodeChanges (node_changes.h).
#include "adapters/http/api/item_index.h"

#include <algorithm>
#include <queue>

#include "adapters/http/api/item_json.h"
#include "rectify/engine/access.h"
#include "rectify/engine/instance_pages.h"
#include "rectify/instance/deadline_clock.h"

namespace rectify::api {

namespace {

constexpr std::int64_t kLoadPage = 2000;

}  // namespace

ItemRow RowOf(const engine::Instance& inst, const engine::Bound& bound) {
  ItemRow row;
  row.id = inst.record.id;
  row.org = inst.org;
  row.title = inst.title;
  row.unit = inst.record.unit_id;
  row.campaign = inst.record.campaign;
  row.workflow = inst.record.workflow;
  row.workflow_version = inst.record.workflow_version;
  row.state = inst.record.state;
  row.responsible = inst.responsible;
  if (bound.workflow) row.people = engine::NamedPeople(*bound.workflow, inst);
  if (const auto* c = inst.CurrentClock()) row.clock = c->clock;
  if (row.clock && bound.calendar && row.clock->phase == ClockPhase::kRunning) {
    auto d = DeadlineClock(*bound.calendar, *row.clock).RunningDeadline();
    if (d && *d) row.running_deadline = **d;
  }
  row.escalation_level = inst.EscalationLevel();
  row.escalation_measure = inst.EscalationMeasure();
  row.payment_suspended = inst.payment_suspended;
  // A finding is not yet a problem of the ledger: only the item its confirmation opens (which
  // names it as its source) counts as found so, so a problem is listed once under ?found_by=.
  bool finding = !inst.origin.round.empty() && inst.origin.source.empty();
  row.found_by = finding ? std::string() : inst.origin.found_by;
  for (const engine::MeasureRecord& m : inst.measures) {
    if (m.in_force()) row.measures_in_force.push_back(m.measure);
  }
  row.version = inst.record.version;
  row.bound = bound;
  ItemJsonParts(row, row.json_head, row.json_tail);
  return row;
}

void ItemIndex::Unlink(const ItemRow& row) {
  if (auto it = by_unit_.find(row.unit); it != by_unit_.end()) {
    it->second.erase(row.id);
    if (it->second.empty()) by_unit_.erase(it);
  }
  for (const auto& p : row.people) {
    if (auto it = by_person_.find(p); it != by_person_.end()) {
      it->second.erase(row.id);
      if (it->second.empty()) by_person_.erase(it);
    }
  }
}

void ItemIndex::Put(const std::string& id, Read read) {
  Entry& entry = read.entry;
  auto it = by_id_.find(id);
  if (it != by_id_.end()) {
    if (it->second.version > entry.version) return;  // an older read than what is here
    if (it->second.row) Unlink(*it->second.row);
    if (auto b = board_.find(it->second.unit); b != board_.end()) {
      b->second.erase(id);
      if (b->second.empty()) board_.erase(b);
    }
    it->second = std::move(entry);
  } else {
    it = by_id_.emplace(id, std::move(entry)).first;
  }
  ++generation_;
  board_[it->second.unit][id] = std::move(read.fact);
  if (const ItemRow* row = it->second.row.get()) {
    by_unit_[row->unit].insert(row->id);
    for (const auto& p : row->people) by_person_[p].insert(row->id);
  }
}

Result<ItemIndex::Read> ItemIndex::EntryOf(Store& store, const InstanceRecord& record) const {
  Read read;
  read.entry.version = record.version;
  read.entry.unit = record.unit_id;
  read.fact =
      BoardFact{record.workflow,   record.campaign, record.state,           record.created_at,
                record.updated_at, record.due_at,   record.escalation_level};
  auto inst = engine::Instance::FromRecord(record);
  if (!inst) return read;  // unreadable: listed and summed by nobody, but a row the board counts
  auto part = engine::SummaryPartOf(store, interpreter_.definitions(), *inst);
  if (!part) return part.error();
  read.entry.part = std::make_shared<const engine::SummaryPart>(std::move(*part));
  if (auto bound = interpreter_.Bind(*inst)) {
    ItemRow row = RowOf(*inst, *bound);
    const definition::DefinitionSet& defs = interpreter_.definitions();
    if (engine::IsTask(defs, *inst)) {
      auto audit = store.AuditOf(record.id);
      if (!audit) return audit.error();
      row.task_reports = std::make_shared<const std::vector<engine::TaskReport>>(
          engine::TaskReportsOf(interpreter_, defs, *inst, *audit));
      row.task_instance = std::make_shared<const engine::Instance>(*inst);
    } else if (!inst->Field("task").empty()) {
      row.task_instance = std::make_shared<const engine::Instance>(*inst);  // a milestone
    }
    read.entry.row = std::make_shared<const ItemRow>(std::move(row));
  }  // else its definitions are not loaded here: nobody lists it here
  return read;
}

Status ItemIndex::Reload(Store& store, const std::set<std::string>& ids) {
  std::vector<std::string> batch;
  auto flush = [&]() -> Status {
    if (batch.empty()) return OkStatus();
    auto records = store.LoadInstances(batch);
    batch.clear();
    if (!records) return records.error();
    std::vector<std::pair<std::string, Read>> entries;
    entries.reserve(records->size());
    for (const auto& record : *records) {
      auto e = EntryOf(store, record);
      if (!e) return e.error();
      entries.emplace_back(record.id, std::move(*e));
    }
    std::unique_lock lock(mu_);
    for (auto& [id, e] : entries) Put(id, std::move(e));
    return OkStatus();
  };
  for (const auto& id : ids) {
    batch.push_back(id);
    if (static_cast<std::int64_t>(batch.size()) >= kLoadPage) {
      if (Status s = flush(); !s) return s;
    }
  }
  return flush();
}

Status ItemIndex::Load(Store& store) {
  InstanceFilter filter;
  filter.limit = kLoadPage;
  Status listed = engine::ForEachInstancePage(
      store, filter, [&](std::vector<InstanceRecord>& page) -> Result<bool> {
        std::vector<std::pair<std::string, Read>> entries;
        for (const auto& record : page) {
          auto e = EntryOf(store, record);
          if (!e) return e.error();
          entries.emplace_back(record.id, std::move(*e));
        }
        {
          std::unique_lock lock(mu_);
          for (auto& [id, e] : entries) Put(id, std::move(e));
        }
        return true;
      });
  if (!listed) return listed.error();
  return OkStatus();
}

void ItemIndex::Visit(const Sources& sources, const std::string& after,
                      const std::function<bool(const ItemRow&)>& visit) const {
  std::shared_lock lock(mu_);
  if (sources.all) {
    for (auto it = by_id_.upper_bound(after); it != by_id_.end(); ++it) {
      if (it->second.row && !visit(*it->second.row)) return;
    }
    return;
  }
  // A merge of the sorted id sets of the units and the person, smallest id first.
  using Cursor = std::pair<std::set<std::string>::const_iterator,
                           std::set<std::string>::const_iterator>;  // (next, end)
  auto later = [](const Cursor& a, const Cursor& b) { return *a.first > *b.first; };
  std::priority_queue<Cursor, std::vector<Cursor>, decltype(later)> heads(later);
  auto add = [&](const std::set<std::string>& ids) {
    auto from = ids.upper_bound(after);
    if (from != ids.end()) heads.push({from, ids.end()});
  };
  for (const auto& unit : sources.units) {
    if (auto it = by_unit_.find(unit); it != by_unit_.end()) add(it->second);
  }
  if (!sources.person.empty()) {
    if (auto it = by_person_.find(sources.person); it != by_person_.end()) add(it->second);
  }
  const std::string* last = nullptr;
  while (!heads.empty()) {
    Cursor c = heads.top();
    heads.pop();
    const std::string& id = *c.first;
    if (++c.first != c.second) heads.push(c);
    if (last && *last == id) continue;  // in a unit and naming the person: once
    last = &id;
    auto entry = by_id_.find(id);
    if (entry != by_id_.end() && entry->second.row && !visit(*entry->second.row)) return;
  }
}

void ItemIndex::VisitBoard(
    const std::vector<std::string>& units,
    const std::function<void(const std::string& unit, const BoardFact&)>& visit) const {
  std::shared_lock lock(mu_);
  for (const auto& unit : units) {
    auto it = board_.find(unit);
    if (it == board_.end()) continue;
    for (const auto& [id, fact] : it->second) visit(unit, fact);
  }
}

Result<engine::Summary> ItemIndex::Summarize(const engine::ReportQuery& query,
                                             std::optional<Timestamp>* next_change) const {
  const std::string key = query.unit.value_or("") + '\x1f' + query.campaign.value_or("");
  auto kept = [&](std::uint64_t generation) -> std::optional<engine::Summary> {
    std::lock_guard guard(cache_mu_);
    auto it = summaries_.find(key);
    if (it != summaries_.end() && it->second.generation == generation &&
        it->second.from <= query.as_of && (!it->second.until || query.as_of < *it->second.until)) {
      if (next_change) *next_change = it->second.until;
      return it->second.summary;
    }
    return std::nullopt;
  };
  auto current = [&] {
    std::shared_lock lock(mu_);
    return generation_;
  };
  if (auto sum = kept(current())) return *sum;
  // One fold at a time: the requests that missed together wait for the first one's answer
  // rather than each folding every part.
  std::lock_guard folding(fold_mu_);
  // The parts are taken under the lock and folded outside it, so that a catch-up (which every
  // request waits for) never waits for a fold.
  std::vector<std::shared_ptr<const engine::SummaryPart>> held;
  std::uint64_t generation = 0;
  {
    std::shared_lock lock(mu_);
    generation = generation_;
    if (auto sum = kept(generation)) return *sum;
    held.reserve(by_id_.size());
    for (const auto& [id, e] : by_id_) {
      if (e.part) held.push_back(e.part);
    }
  }
  std::vector<const engine::SummaryPart*> parts;
  parts.reserve(held.size());
  for (const auto& p : held) parts.push_back(p.get());
  std::optional<Timestamp> until;
  auto sum = engine::FoldSummary(interpreter_.definitions(), query, parts, &until);
  if (!sum) return sum.error();
  if (next_change) *next_change = until;
  std::lock_guard guard(cache_mu_);
  summaries_[key] = CachedSummary{generation, query.as_of, until, *sum};
  return sum;
}

std::shared_ptr<const ItemRow> ItemIndex::Find(const std::string& id) const {
  std::shared_lock lock(mu_);
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second.row;
}

std::uint64_t ItemIndex::generation() const {
  std::shared_lock lock(mu_);
  return generation_;
}

std::size_t ItemIndex::size() const {
  std::shared_lock lock(mu_);
  return by_id_.size();
}

}  // namespace rectify::api
