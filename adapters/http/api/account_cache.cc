// AccountCache (account_cache.h): credentials read once, forgotten when node_changes says so.
#include "adapters/http/api/account_cache.h"

namespace rectify::api {

// Reads through the cache; every write goes to the store, then forgets what it changed.
class CachingAccountStore final : public auth::AccountStore {
 public:
  CachingAccountStore(AccountCache& cache, auth::AccountStore& store)
      : cache_(cache), store_(store) {}

  Status AddAccount(const auth::Account& account, const auth::AccountEvent& event) override {
    return Forgetting(store_.AddAccount(account, event),
                      [&] { cache_.ForgetPerson(account.person); });
  }
  Result<std::optional<auth::Account>> FindAccount(const std::string& person) override {
    return cache_.Find(cache_.accounts_, person, [&] { return store_.FindAccount(person); });
  }
  Result<std::vector<auth::Account>> ListAccounts() override { return store_.ListAccounts(); }
  Status SetPassword(const std::string& person, const std::string& password_hash,
                     const auth::AccountEvent& event) override {
    // Ends the person's sessions too: forget them all.
    return Forgetting(store_.SetPassword(person, password_hash, event),
                      [&] { cache_.ForgetPerson(person); });
  }
  Status SetDisabled(const std::string& person, bool disabled,
                     const auth::AccountEvent& event) override {
    return Forgetting(store_.SetDisabled(person, disabled, event),
                      [&] { cache_.ForgetPerson(person); });
  }

  Status AddToken(const auth::ApiToken& token, const auth::AccountEvent& event) override {
    return Forgetting(store_.AddToken(token, event), [&] { cache_.Forget("token", token.id); });
  }
  Result<std::optional<auth::ApiToken>> FindToken(const std::string& id) override {
    return cache_.Find(cache_.tokens_, id, [&] { return store_.FindToken(id); });
  }
  Result<std::vector<auth::ApiToken>> ListTokens(const std::string& person) override {
    return store_.ListTokens(person);
  }
  Status RevokeToken(const std::string& id, const auth::AccountEvent& event) override {
    return Forgetting(store_.RevokeToken(id, event), [&] { cache_.Forget("token", id); });
  }

  Status AddSession(const auth::SessionRecord& session, const auth::AccountEvent& event) override {
    return Forgetting(store_.AddSession(session, event),
                      [&] { cache_.Forget("session", session.id_hash); });
  }
  Result<std::optional<auth::SessionRecord>> FindSession(const std::string& id_hash) override {
    return cache_.Find(cache_.sessions_, id_hash, [&] { return store_.FindSession(id_hash); });
  }
  Status TouchSession(const std::string& id_hash, Timestamp at) override {
    return Forgetting(store_.TouchSession(id_hash, at), [&] { cache_.Forget("session", id_hash); });
  }
  Status EndSession(const std::string& id_hash, const auth::AccountEvent& event) override {
    return Forgetting(store_.EndSession(id_hash, event),
                      [&] { cache_.Forget("session", id_hash); });
  }

  Status RecordEvent(const auth::AccountEvent& event) override { return store_.RecordEvent(event); }
  Result<std::vector<auth::AccountEvent>> Events(const std::string& person, int limit) override {
    return store_.Events(person, limit);
  }

 private:
  // Forgets whether or not the write succeeded: a failed write may still have committed (a lost
  // connection after COMMIT), and forgetting costs one read.
  template <typename Forget>
  static Status Forgetting(Status s, Forget forget) {
    forget();
    return s;
  }

  AccountCache& cache_;
  auth::AccountStore& store_;
};

std::unique_ptr<auth::AccountStore> AccountCache::Over(auth::AccountStore& store) {
  return std::make_unique<CachingAccountStore>(*this, store);
}

namespace {

// The store under AccountCache::OverNothing: it holds nothing, and says it was asked.
class NothingStored final : public auth::AccountStore {
 public:
  explicit NothingStored(bool& missed) : missed_(missed) {}

  Status AddAccount(const auth::Account&, const auth::AccountEvent&) override { return Missed(); }
  Result<std::optional<auth::Account>> FindAccount(const std::string&) override { return Missed(); }
  Result<std::vector<auth::Account>> ListAccounts() override { return Missed(); }
  Status SetPassword(const std::string&, const std::string&, const auth::AccountEvent&) override {
    return Missed();
  }
  Status SetDisabled(const std::string&, bool, const auth::AccountEvent&) override {
    return Missed();
  }
  Status AddToken(const auth::ApiToken&, const auth::AccountEvent&) override { return Missed(); }
  Result<std::optional<auth::ApiToken>> FindToken(const std::string&) override { return Missed(); }
  Result<std::vector<auth::ApiToken>> ListTokens(const std::string&) override { return Missed(); }
  Status RevokeToken(const std::string&, const auth::AccountEvent&) override { return Missed(); }
  Status AddSession(const auth::SessionRecord&, const auth::AccountEvent&) override {
    return Missed();
  }
  Result<std::optional<auth::SessionRecord>> FindSession(const std::string&) override {
    return Missed();
  }
  Status TouchSession(const std::string&, Timestamp) override { return Missed(); }
  Status EndSession(const std::string&, const auth::AccountEvent&) override { return Missed(); }
  Status RecordEvent(const auth::AccountEvent&) override { return Missed(); }
  Result<std::vector<auth::AccountEvent>> Events(const std::string&, int) override {
    return Missed();
  }

 private:
  Error Missed() {
    missed_ = true;
    return Error::Unavailable("not in the node's memory");
  }
  bool& missed_;
};

}  // namespace

std::unique_ptr<AccountCache::MemoryOnly> AccountCache::OverNothing() {
  auto m = std::make_unique<MemoryOnly>();
  m->nothing = std::make_unique<NothingStored>(m->missed);
  m->accounts = Over(*m->nothing);
  return m;
}

template <typename T, typename Read>
Result<std::optional<T>> AccountCache::Find(Map<T>& map, const std::string& key, Read read) {
  std::uint64_t before = 0;
  {
    std::lock_guard lock(mu_);
    if (auto it = map.find(key); it != map.end()) return std::optional<T>(it->second);
    before = forgotten_;
  }
  Result<std::optional<T>> found = read();
  if (found && *found) {
    std::lock_guard lock(mu_);
    if (forgotten_ == before) {  // nothing changed while reading: what was read is current
      if (accounts_.size() + tokens_.size() + sessions_.size() >= kMaxEntries) {
        accounts_.clear();
        tokens_.clear();
        sessions_.clear();
      }
      map.emplace(key, **found);
    }
  }
  return found;
}

void AccountCache::Forget(std::string_view kind, const std::string& key) {
  std::lock_guard lock(mu_);
  ++forgotten_;
  if (kind == "account") {
    accounts_.erase(key);
  } else if (kind == "token") {
    tokens_.erase(key);
  } else if (kind == "session") {
    sessions_.erase(key);
  }
}

void AccountCache::ForgetPerson(const std::string& person) {
  std::lock_guard lock(mu_);
  ++forgotten_;
  accounts_.erase(person);
  std::erase_if(tokens_, [&](const auto& kv) { return kv.second.person == person; });
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.person == person; });
}

std::size_t AccountCache::size() const {
  std::lock_guard lock(mu_);
  return accounts_.size() + tokens_.size() + sessions_.size();
}

}  // namespace rectify::api
