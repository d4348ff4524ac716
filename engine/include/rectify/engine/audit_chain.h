// The audit log's hash chain (DESIGN.md section 4: append-only, and `rectify audit verify` finds
// a changed or deleted row).
//
// Each instance has its own chain: rows are numbered from 1, and each row's hash is the SHA-256
// of a canonical encoding of the row and the previous row's hash:
//
//   hash = hex(SHA-256( JSON array [instance_id, seq, at_micros, actor, event, from_state,
//                                   to_state, reason, data_json, prev_hash] ))
//
// where the JSON array is written by Boost.JSON with no spaces (strings escaped as JSON does), so
// every field is delimited and no two different rows encode the same. The first row's prev_hash
// is empty. The instance itself records the sequence number and hash of its last row, so that
// deleting the last rows is found too.
//
//   AuditRecord row = ...;             // instance_id, seq, at, actor, event, states, reason, data
//   Chain(row, prev_seq, prev_hash);   // sets seq, prev_hash and hash
//   std::vector<AuditProblem> p = VerifyChain(rows, recorded_seq, recorded_head);
//   auto page = VerifyInstances(store, after_id, 1000);   // a page of instances, each checked
//
// Thread-safety: pure functions; VerifyInstances uses `store` from the calling thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rectify/result.h"
#include "rectify/store.h"

namespace rectify::engine {

// The hash of `row` given its prev_hash (the row's own `hash` is ignored).
std::string AuditHash(const AuditRecord& row);

// Numbers `row` after (`prev_seq`, `prev_hash`) and computes its hash.
void Chain(AuditRecord& row, std::int64_t prev_seq, const std::string& prev_hash);

struct AuditProblem {
  std::string instance_id;
  std::int64_t seq = 0;
  std::string message;  // "row 3 was changed (its hash does not match its contents)"
};

// Checks one instance's rows (in seq order, as AuditOf returns them) against each other and
// against what the instance recorded (its last seq and hash). Empty when intact.
std::vector<AuditProblem> VerifyChain(const std::string& instance_id,
                                      const std::vector<AuditRecord>& rows,
                                      std::int64_t recorded_seq, const std::string& recorded_head);

// One instance's check, as `rectify audit verify` and POST /api/v1/audit/verify report it.
struct InstanceAudit {
  std::string instance_id;
  std::int64_t rows = 0;
  // Empty when intact. An instance whose record cannot be read has one problem with seq 0.
  std::vector<AuditProblem> problems;
};

// Checks up to `limit` instances with ids after `after_id` (empty: from the first), in id order,
// each against its audit rows (VerifyChain). Fewer than `limit` results: there are no more.
// Errors: the store's.
Result<std::vector<InstanceAudit>> VerifyInstances(Store& store, const std::string& after_id,
                                                   std::int64_t limit);

}  // namespace rectify::engine
