#include "rectify/engine/audit_chain.h"

#include "rectify/definition/canonical.h"
#include "rectify/engine/instance.h"
#include "rectify/json_writer.h"
#include "rectify/sha256.h"

namespace rectify::engine {

std::string AuditHash(const AuditRecord& row) {
  // The JSON array of the row's fields, as Boost.JSON writes it (JsonWriter gives the same bytes).
  std::string encoded;
  encoded.reserve(256 + row.data_json.size() + row.reason.size());
  JsonWriter w(encoded);
  w.BeginArray()
      .String(row.instance_id)
      .Int(row.seq)
      .Int(ToMicros(row.at))
      .String(row.actor)
      .String(row.event)
      .String(row.from_state)
      .String(row.to_state)
      .String(row.reason)
      .String(row.data_json)
      .String(row.prev_hash)
      .EndArray();
  return Sha256Hex(encoded);
}

void Chain(AuditRecord& row, std::int64_t prev_seq, const std::string& prev_hash) {
  row.seq = prev_seq + 1;
  row.prev_hash = prev_hash;
  row.hash = AuditHash(row);
}

std::vector<AuditProblem> VerifyChain(const std::string& instance_id,
                                      const std::vector<AuditRecord>& rows,
                                      std::int64_t recorded_seq, const std::string& recorded_head) {
  std::vector<AuditProblem> problems;
  auto report = [&](std::int64_t seq, std::string message) {
    problems.push_back({instance_id, seq, std::move(message)});
  };
  std::int64_t expected = 1;
  std::string prev_hash;
  for (const AuditRecord& row : rows) {
    if (row.seq != expected) {
      for (std::int64_t missing = expected; missing < row.seq; ++missing) {
        report(missing, "row " + std::to_string(missing) + " was deleted (a gap in the sequence)");
      }
    } else if (row.prev_hash != prev_hash) {
      report(row.seq, "row " + std::to_string(row.seq) +
                          " does not follow the row before it (its prev_hash was changed)");
    }
    if (AuditHash(row) != row.hash) {
      report(row.seq, "row " + std::to_string(row.seq) +
                          " was changed (its hash does not match its contents)");
    }
    prev_hash = row.hash;
    expected = row.seq + 1;
  }
  std::int64_t last = rows.empty() ? 0 : rows.back().seq;
  if (last < recorded_seq) {
    for (std::int64_t missing = last + 1; missing <= recorded_seq; ++missing) {
      report(missing, "row " + std::to_string(missing) + " was deleted (the instance recorded " +
                          std::to_string(recorded_seq) + " rows)");
    }
  } else if (last == recorded_seq && !rows.empty() && rows.back().hash != recorded_head) {
    report(last, "row " + std::to_string(last) +
                     " does not match the hash the instance recorded for its last row");
  } else if (last > recorded_seq) {
    report(last, "row " + std::to_string(last) + " was added after the instance's last row " +
                     std::to_string(recorded_seq));
  }
  return problems;
}

Result<std::vector<InstanceAudit>> VerifyInstances(Store& store, const std::string& after_id,
                                                   std::int64_t limit) {
  InstanceFilter filter;
  filter.after_id = after_id;
  filter.limit = limit;
  auto page = store.ListInstances(filter);
  if (!page) return page.error();
  std::vector<InstanceAudit> out;
  out.reserve(page->size());
  for (const InstanceRecord& r : *page) {
    auto audit = store.AuditOf(r.id);
    if (!audit) return audit.error();
    InstanceAudit checked{r.id, static_cast<std::int64_t>(audit->size()), {}};
    auto inst = Instance::FromRecord(r);
    if (!inst) {
      checked.problems.push_back({r.id, 0, inst.error().message()});
    } else {
      checked.problems = VerifyChain(r.id, *audit, inst->audit_seq, inst->audit_head);
    }
    out.push_back(std::move(checked));
  }
  return out;
}

}  // namespace rectify::engine
