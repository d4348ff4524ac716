// The credentials a serving node has read (accounts, API tokens, sessions), kept in memory so a
// request is identified without reading the store: the store is read once per credential, and
// again only after it changed.
//
//   AccountCache cache;
//   auto accounts = cache.Over(soci_accounts);   // one per connection: reads through the cache
//   accounts->FindToken(id);                     // the store the first time, memory afterwards
//   cache.Forget("token", id);                   // NodeChanges: node_changes says it changed
//
// Fresh as of the request: every change to the three tables, by any writer on any node, adds a
// row to node_changes (migration 0021), and NodeChanges (node_changes.h) reads those rows and
// forgets what they name before each request is identified. So a token revoked, a session ended
// or an account disabled anywhere stops working on this node with the next request, as when each
// request read the store. Writes made through Over() forget what they change at once as well.
//
// A read that races a change cannot put the old value back: a value read from the store is kept
// only when nothing was forgotten while it was being read. Only found credentials are kept (a
// wrong token costs a read, as before), and the cache empties itself past kMaxEntries.
//
// Thread-safety: Forget and the stores Over() makes may be used from many threads at once; each
// store made by Over() is used by one thread at a time, like the store under it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "rectify/auth/account_store.h"

namespace rectify::api {

class AccountCache {
 public:
  static constexpr std::size_t kMaxEntries = 200000;

  // A store that reads through this cache and writes to `store`, forgetting what it writes.
  std::unique_ptr<auth::AccountStore> Over(auth::AccountStore& store);

  // For identifying a caller from memory alone (a kept answer sent without a worker): `accounts`
  // reads what this cache holds, and where it would need the store (a credential not kept, any
  // write such as a session's touch) it fails and sets `missed`. Used by one thread at a time.
  struct MemoryOnly {
    bool missed = false;
    std::unique_ptr<auth::AccountStore> nothing;   // the store under the cache: holds nothing
    std::unique_ptr<auth::AccountStore> accounts;  // through the cache, over `nothing`
  };
  std::unique_ptr<MemoryOnly> OverNothing();

  // Forgets the credential a node_changes row names: kind "account" (key: the person), "token"
  // (its id) or "session" (its id_hash). Other kinds are ignored.
  void Forget(std::string_view kind, const std::string& key);

  std::size_t size() const;

 private:
  friend class CachingAccountStore;

  template <typename T>
  using Map = std::unordered_map<std::string, T>;

  // Reads `key` from `map`, or from the store with `read` and keeps what it found.
  template <typename T, typename Read>
  Result<std::optional<T>> Find(Map<T>& map, const std::string& key, Read read);
  void ForgetPerson(const std::string& person);  // the account and its tokens and sessions

  mutable std::mutex mu_;
  std::uint64_t forgotten_ = 0;  // counts Forget calls: a read that saw it change keeps nothing
  Map<auth::Account> accounts_;
  Map<auth::ApiToken> tokens_;
  Map<auth::SessionRecord> sessions_;
};

}  // namespace rectify::api
