// A Store kept in memory, for engine tests that need a store but no SQL: no SOCI, no database
// file, no PostgreSQL cluster. It passes the same contract suite as the SQLite and PostgreSQL
// stores (tests/store/store_contract_pgtest.cc, Memory/StoreContractTest.*): all-or-nothing
// commits (a failed commit is undone from a journal), optimistic versions, timers that fire
// once, leases with fencing tokens, the outbox's dedup and the audit log's unique sequence, and
// the foreign keys the schema has (a person's unit, a timer's or audit row's instance).
//
//   auto db = std::make_shared<test::MemoryDatabase>();
//   std::unique_ptr<Store> store = test::MakeMemoryStore(db);
//   std::unique_ptr<Store> other = test::MakeMemoryStore(db);  // a second "connection"
//
// Every Store made on one MemoryDatabase sees the same data, as connections to one database do;
// calls are serialised by the database's mutex, so stores may be used from several threads.
// Only the Store interface is kept: the dispatcher's outbox store, accounts and the other
// adapters' tables still need a SOCI database.
#pragma once

#include <memory>

#include "rectify/store.h"

namespace rectify::test {

class MemoryDatabase;

// A new Store on `db` (shared by every store made on it).
std::unique_ptr<Store> MakeMemoryStore(std::shared_ptr<MemoryDatabase> db);

// The data that stores made on it share. Opaque: read and write it through a Store.
class MemoryDatabase {
 public:
  MemoryDatabase();
  ~MemoryDatabase();
  MemoryDatabase(const MemoryDatabase&) = delete;
  MemoryDatabase& operator=(const MemoryDatabase&) = delete;

  struct Tables;

 private:
  friend class MemoryStore;
  std::unique_ptr<Tables> tables_;
};

}  // namespace rectify::test
