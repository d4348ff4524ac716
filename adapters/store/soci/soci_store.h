// The Store (engine/include/rectify/store.h) on SOCI, for SQLite and PostgreSQL.
//
//   auto url = ParseDatabaseUrl("sqlite:var/rectify.db");
//   auto store = OpenStore(*url, {});          // kFailedPrecondition if never migrated
//   Status s = (*store)->Commit(changes);
//
// Commit runs in one transaction (BEGIN IMMEDIATE on SQLite, so a writer never deadlocks on a lock
// upgrade). Writes are batched per table (batch.h). The schema is the one migrations/ builds;
// OpenStore refuses a database that has none.
//
// Thread-safety: one thread at a time, like Store. Ownership: the SociStore owns its Database.
#pragma once

#include <memory>
#include <string>

#include "adapters/store/soci/bulletin_store.h"
#include "adapters/store/soci/database.h"
#include "rectify/store.h"

namespace rectify::store_soci {

// Opens a Store on an existing, migrated database.
Result<std::unique_ptr<Store>> OpenStore(const DatabaseUrl& url, const OpenOptions& options);
// The same on a Database already open (the caller checked its schema).
std::unique_ptr<Store> MakeStore(std::unique_ptr<Database> db);
// Gives `store` (a SociStore) the bulletin document templates of `folder` (LoadBulletinTemplates),
// for the bulletins campaign runs issue on it. kFailedPrecondition when the folder lacks them or
// `store` is another kind of store.
Status SetBulletinTemplates(Store& store, const std::string& folder);

// Also the bulletin desk of a campaign run's scheduled bulletins (engine/bulletin.h), on its own
// database (SociBulletinDesk, bulletin_store.h).
class SociStore final : public Store, public engine::BulletinDesk {
 public:
  explicit SociStore(std::unique_ptr<Database> db) : db_(std::move(db)), desk_(*db_) {}

  Status Commit(const ChangeSet& changes) override;
  Result<InstanceRecord> LoadInstance(const std::string& id) override;
  Result<std::vector<InstanceRecord>> ListInstances(const InstanceFilter& filter) override;
  Result<std::vector<TimerRecord>> DueTimers(Timestamp up_to, std::int64_t limit) override;
  Result<std::vector<InstanceRecord>> LoadInstances(const std::vector<std::string>& ids) override;
  Status WriteProjections(const std::vector<InstanceRecord>& records) override;
  Result<std::vector<TimerRecord>> ClaimDue(Timestamp now, std::int64_t limit,
                                            const std::string& owner,
                                            Timestamp lease_until) override;
  Result<std::vector<TimerRecord>> TimersOf(const std::string& instance_id) override;
  Result<std::vector<OutboxRecord>> PendingOutbox(Timestamp now, std::int64_t limit) override;
  Result<std::vector<AuditRecord>> AuditOf(const std::string& instance_id) override;
  Result<DefinitionRecord> LoadDefinition(const std::string& kind, const std::string& name,
                                          std::int64_t version) override;
  Result<DefinitionRecord> LatestDefinition(const std::string& kind,
                                            const std::string& name) override;
  Result<std::vector<UnitRecord>> ListUnits() override;
  Result<std::vector<PersonRecord>> ListPeople() override;
  Result<StoreCounts> Counts() override;
  Result<engine::BulletinReceipt> IssueOnce(engine::Engine& engine,
                                            const engine::BulletinRequest& request,
                                            Timestamp counts_from) override {
    return desk_.IssueOnce(engine, request, counts_from);
  }
  // The document templates of the bulletins it issues as a desk (LoadBulletinTemplates).
  void set_bulletin_templates(BulletinTemplates templates) {
    desk_.set_templates(std::move(templates));
  }

 private:
  // Each part of Commit, inside the transaction. A returned error rolls the commit back; SOCI's
  // exceptions do too (mapped by Database::MapError).
  Status PutDefinitions(const ChangeSet& c);
  void PutUnits(const ChangeSet& c);
  void PutPeople(const ChangeSet& c);
  void InsertInstances(const ChangeSet& c);
  Status UpdateInstances(const ChangeSet& c);
  void PutInstancePeople(const ChangeSet& c);
  void CancelTimers(const ChangeSet& c);
  Status FireTimers(const ChangeSet& c);
  void ArmTimers(const ChangeSet& c);
  void InsertOutbox(const ChangeSet& c);
  Status UpdateOutbox(const ChangeSet& c);
  void AppendAudit(const ChangeSet& c);

  Result<std::vector<TimerRecord>> QueryTimers(const std::string& where_and_order,
                                               std::vector<std::string> text_args,
                                               std::vector<long long> int_args);
  Result<std::vector<DefinitionRecord>> QueryDefinitions(const std::string& sql,
                                                         const std::string& kind,
                                                         const std::string& name,
                                                         long long version);

  std::unique_ptr<Database> db_;
  SociBulletinDesk desk_;
};

}  // namespace rectify::store_soci
