// Stores that forward every call to another store of the same interface: ForwardingStore for
// rectify::Store, ForwardingAccountStore for auth::AccountStore. A test derives from one and
// overrides only the calls it wants to watch or break (a commit that waits, a fault injected
// once, a hook after a read), instead of writing out the whole interface again; a call added to
// an interface is added here once.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rectify/auth/account_store.h"
#include "rectify/store.h"

namespace rectify::test {

class ForwardingStore : public Store {
 public:
  // Forwards to `inner`, which must outlive this store.
  explicit ForwardingStore(Store& inner) : inner_(inner) {}
  // Forwards to `inner` and owns it.
  explicit ForwardingStore(std::unique_ptr<Store> inner)
      : owned_(std::move(inner)), inner_(*owned_) {}

  Status Commit(const ChangeSet& changes) override { return inner_.Commit(changes); }
  Result<InstanceRecord> LoadInstance(const std::string& id) override {
    return inner_.LoadInstance(id);
  }
  Result<std::vector<InstanceRecord>> ListInstances(const InstanceFilter& filter) override {
    return inner_.ListInstances(filter);
  }
  Result<std::vector<InstanceRecord>> LoadInstances(const std::vector<std::string>& ids) override {
    return inner_.LoadInstances(ids);
  }
  Status WriteProjections(const std::vector<InstanceRecord>& records) override {
    return inner_.WriteProjections(records);
  }
  Result<std::vector<TimerRecord>> DueTimers(Timestamp up_to, std::int64_t limit) override {
    return inner_.DueTimers(up_to, limit);
  }
  Result<std::vector<TimerRecord>> ClaimDue(Timestamp now, std::int64_t limit,
                                            const std::string& owner,
                                            Timestamp lease_until) override {
    return inner_.ClaimDue(now, limit, owner, lease_until);
  }
  Result<std::vector<TimerRecord>> TimersOf(const std::string& instance_id) override {
    return inner_.TimersOf(instance_id);
  }
  Result<std::vector<OutboxRecord>> PendingOutbox(Timestamp now, std::int64_t limit) override {
    return inner_.PendingOutbox(now, limit);
  }
  Result<std::vector<AuditRecord>> AuditOf(const std::string& instance_id) override {
    return inner_.AuditOf(instance_id);
  }
  Result<DefinitionRecord> LoadDefinition(const std::string& kind, const std::string& name,
                                          std::int64_t version) override {
    return inner_.LoadDefinition(kind, name, version);
  }
  Result<DefinitionRecord> LatestDefinition(const std::string& kind,
                                            const std::string& name) override {
    return inner_.LatestDefinition(kind, name);
  }
  Result<std::vector<UnitRecord>> ListUnits() override { return inner_.ListUnits(); }
  Result<std::vector<PersonRecord>> ListPeople() override { return inner_.ListPeople(); }
  Result<StoreCounts> Counts() override { return inner_.Counts(); }

 protected:
  Store& inner() { return inner_; }

 private:
  std::unique_ptr<Store> owned_;  // empty when forwarding to a store owned elsewhere
  Store& inner_;
};

class ForwardingAccountStore : public auth::AccountStore {
 public:
  // Forwards to `inner`, which must outlive this store.
  explicit ForwardingAccountStore(auth::AccountStore& inner) : inner_(inner) {}
  // Forwards to `inner` and owns it.
  explicit ForwardingAccountStore(std::unique_ptr<auth::AccountStore> inner)
      : owned_(std::move(inner)), inner_(*owned_) {}

  Status AddAccount(const auth::Account& account, const auth::AccountEvent& event) override {
    return inner_.AddAccount(account, event);
  }
  Result<std::optional<auth::Account>> FindAccount(const std::string& person) override {
    return inner_.FindAccount(person);
  }
  Result<std::vector<auth::Account>> ListAccounts() override { return inner_.ListAccounts(); }
  Status SetPassword(const std::string& person, const std::string& password_hash,
                     const auth::AccountEvent& event) override {
    return inner_.SetPassword(person, password_hash, event);
  }
  Status SetDisabled(const std::string& person, bool disabled,
                     const auth::AccountEvent& event) override {
    return inner_.SetDisabled(person, disabled, event);
  }
  Status AddToken(const auth::ApiToken& token, const auth::AccountEvent& event) override {
    return inner_.AddToken(token, event);
  }
  Result<std::optional<auth::ApiToken>> FindToken(const std::string& id) override {
    return inner_.FindToken(id);
  }
  Result<std::vector<auth::ApiToken>> ListTokens(const std::string& person) override {
    return inner_.ListTokens(person);
  }
  Status RevokeToken(const std::string& id, const auth::AccountEvent& event) override {
    return inner_.RevokeToken(id, event);
  }
  Status AddSession(const auth::SessionRecord& session, const auth::AccountEvent& event) override {
    return inner_.AddSession(session, event);
  }
  Result<std::optional<auth::SessionRecord>> FindSession(const std::string& id_hash) override {
    return inner_.FindSession(id_hash);
  }
  Status TouchSession(const std::string& id_hash, Timestamp at) override {
    return inner_.TouchSession(id_hash, at);
  }
  Status EndSession(const std::string& id_hash, const auth::AccountEvent& event) override {
    return inner_.EndSession(id_hash, event);
  }
  Status RecordEvent(const auth::AccountEvent& event) override { return inner_.RecordEvent(event); }
  Result<std::vector<auth::AccountEvent>> Events(const std::string& person, int limit) override {
    return inner_.Events(person, limit);
  }

 protected:
  auth::AccountStore& inner() { return inner_; }

 private:
  std::unique_ptr<auth::AccountStore> owned_;  // empty when forwarding to one owned elsewhere
  auth::AccountStore& inner_;
};

}  // namespace rectify::test
