#include "adapters/store/soci/soci_account_store.h"

#include "adapters/store/soci/transaction.h"

namespace rectify::store_soci {
namespace {

void AppendEvent(Database& db, const auth::AccountEvent& e) {
  long long at = ToMicros(e.at);
  db.session() << "INSERT INTO account_events (at, person, actor, channel, event, detail) "
                  "VALUES (:at, :person, :actor, :channel, :event, :detail)",
      soci::use(at), soci::use(e.person), soci::use(e.actor), soci::use(e.channel),
      soci::use(e.event), soci::use(e.detail);
}

void EndLiveSessions(Database& db, const std::string& person, Timestamp at) {
  long long t = ToMicros(at);
  db.session() << "UPDATE sessions SET ended_at = :at WHERE person = :person AND ended_at IS NULL",
      soci::use(t), soci::use(person);
}

std::optional<Timestamp> Optional(long long v, soci::indicator ind) {
  if (ind != soci::i_ok) return std::nullopt;
  return FromMicros(v);
}

constexpr const char* kAccountColumns =
    "person, org, password_hash, admin, disabled, created_at, password_changed_at, changed_at";
constexpr const char* kTokenColumns =
    "id, person, secret_hash, scope, label, created_at, expires_at, revoked_at, last_used_at";

}  // namespace

Status SociAccountStore::AddAccount(const auth::Account& a, const auth::AccountEvent& event) {
  return InTransaction(db_, "add the account of " + a.person, [&]() -> Status {
    long long admin = a.admin ? 1 : 0, disabled = a.disabled ? 1 : 0;
    long long created = ToMicros(a.created_at), changed_pw = ToMicros(a.password_changed_at),
              changed = ToMicros(a.changed_at);
    db_.session() << "INSERT INTO accounts (person, org, password_hash, admin, disabled, "
                     "created_at, password_changed_at, changed_at) VALUES (:person, :org, :hash, "
                     ":admin, :disabled, :created, :changed_pw, :changed)",
        soci::use(a.person), soci::use(a.org), soci::use(a.password_hash), soci::use(admin),
        soci::use(disabled), soci::use(created), soci::use(changed_pw), soci::use(changed);
    AppendEvent(db_, event);
    return OkStatus();
  });
}

Result<std::vector<auth::Account>> SociAccountStore::QueryAccounts(const std::string& where,
                                                                   const std::string& arg) {
  std::vector<auth::Account> out;
  try {
    auth::Account a;
    long long admin = 0, disabled = 0, created = 0, changed_pw = 0, changed = 0;
    std::string sql = std::string("SELECT ") + kAccountColumns + " FROM accounts " + where;
    soci::statement st(db_.session());
    st.alloc();
    st.prepare(sql, soci::details::st_one_time_query);  // one round trip on PostgreSQL
    st.exchange(soci::into(a.person));
    st.exchange(soci::into(a.org));
    st.exchange(soci::into(a.password_hash));
    st.exchange(soci::into(admin));
    st.exchange(soci::into(disabled));
    st.exchange(soci::into(created));
    st.exchange(soci::into(changed_pw));
    st.exchange(soci::into(changed));
    std::string bound = arg;
    if (!where.empty() && where.find(':') != std::string::npos) st.exchange(soci::use(bound));
    st.define_and_bind();
    st.execute(false);
    while (st.fetch()) {
      a.admin = admin != 0;
      a.disabled = disabled != 0;
      a.created_at = FromMicros(created);
      a.password_changed_at = FromMicros(changed_pw);
      a.changed_at = FromMicros(changed);
      out.push_back(a);
    }
  } catch (const std::exception& e) {
    return db_.MapError(e, "read accounts");
  }
  return out;
}

Result<std::optional<auth::Account>> SociAccountStore::FindAccount(const std::string& person) {
  auto found = QueryAccounts("WHERE person = :person", person);
  if (!found) return found.error();
  if (found->empty()) return std::optional<auth::Account>();
  return std::optional<auth::Account>(found->front());
}

Result<std::vector<auth::Account>> SociAccountStore::ListAccounts() {
  return QueryAccounts("ORDER BY person", "");
}

Status SociAccountStore::SetPassword(const std::string& person, const std::string& password_hash,
                                     const auth::AccountEvent& event) {
  return InTransaction(db_, "change the password of " + person, [&]() -> Status {
    long long at = ToMicros(event.at);
    soci::statement st =
        (db_.session().prepare << "UPDATE accounts SET password_hash = :hash, "
                                  "password_changed_at = :at, changed_at = :at2 WHERE person = :p",
         soci::use(password_hash), soci::use(at), soci::use(at), soci::use(person));
    st.execute(true);
    if (st.get_affected_rows() == 0) {
      return Error::NotFound(person + " has no account (add one with rectify user add " + person +
                             ")");
    }
    EndLiveSessions(db_, person, event.at);
    AppendEvent(db_, event);
    return OkStatus();
  });
}

Status SociAccountStore::SetDisabled(const std::string& person, bool disabled,
                                     const auth::AccountEvent& event) {
  return InTransaction(db_, (disabled ? "disable " : "enable ") + person, [&]() -> Status {
    long long at = ToMicros(event.at);
    long long flag = disabled ? 1 : 0;
    soci::statement st = (db_.session().prepare << "UPDATE accounts SET disabled = :d, changed_at "
                                                   "= :at WHERE person = :p",
                          soci::use(flag), soci::use(at), soci::use(person));
    st.execute(true);
    if (st.get_affected_rows() == 0) {
      return Error::NotFound(person + " has no account (add one with rectify user add " + person +
                             ")");
    }
    if (disabled) EndLiveSessions(db_, person, event.at);
    AppendEvent(db_, event);
    return OkStatus();
  });
}

Status SociAccountStore::AddToken(const auth::ApiToken& t, const auth::AccountEvent& event) {
  return InTransaction(db_, "create a token for " + t.person, [&]() -> Status {
    long long created = ToMicros(t.created_at), expires = ToMicros(t.expires_at);
    db_.session() << "INSERT INTO api_tokens (id, person, secret_hash, scope, label, created_at, "
                     "expires_at) VALUES (:id, :person, :hash, :scope, :label, :created, :expires)",
        soci::use(t.id), soci::use(t.person), soci::use(t.secret_hash), soci::use(t.scope),
        soci::use(t.label), soci::use(created), soci::use(expires);
    AppendEvent(db_, event);
    return OkStatus();
  });
}

Result<std::vector<auth::ApiToken>> SociAccountStore::QueryTokens(const std::string& where,
                                                                  const std::string& arg) {
  std::vector<auth::ApiToken> out;
  try {
    auth::ApiToken t;
    long long created = 0, expires = 0, revoked = 0, used = 0;
    soci::indicator revoked_ind = soci::i_null, used_ind = soci::i_null;
    std::string sql = std::string("SELECT ") + kTokenColumns + " FROM api_tokens " + where;
    soci::statement st(db_.session());
    st.alloc();
    st.prepare(sql, soci::details::st_one_time_query);  // one round trip on PostgreSQL
    st.exchange(soci::into(t.id));
    st.exchange(soci::into(t.person));
    st.exchange(soci::into(t.secret_hash));
    st.exchange(soci::into(t.scope));
    st.exchange(soci::into(t.label));
    st.exchange(soci::into(created));
    st.exchange(soci::into(expires));
    st.exchange(soci::into(revoked, revoked_ind));
    st.exchange(soci::into(used, used_ind));
    std::string bound = arg;
    if (where.find(':') != std::string::npos) st.exchange(soci::use(bound));
    st.define_and_bind();
    st.execute(false);
    while (st.fetch()) {
      t.created_at = FromMicros(created);
      t.expires_at = FromMicros(expires);
      t.revoked_at = Optional(revoked, revoked_ind);
      t.last_used_at = Optional(used, used_ind);
      out.push_back(t);
    }
  } catch (const std::exception& e) {
    return db_.MapError(e, "read API tokens");
  }
  return out;
}

Result<std::optional<auth::ApiToken>> SociAccountStore::FindToken(const std::string& id) {
  auto found = QueryTokens("WHERE id = :id", id);
  if (!found) return found.error();
  if (found->empty()) return std::optional<auth::ApiToken>();
  return std::optional<auth::ApiToken>(found->front());
}

Result<std::vector<auth::ApiToken>> SociAccountStore::ListTokens(const std::string& person) {
  if (person.empty()) return QueryTokens("ORDER BY created_at DESC, id", "");
  return QueryTokens("WHERE person = :person ORDER BY created_at DESC, id", person);
}

Status SociAccountStore::RevokeToken(const std::string& id, const auth::AccountEvent& event) {
  return InTransaction(db_, "revoke token " + id, [&]() -> Status {
    long long exists = 0;
    db_.session() << "SELECT COUNT(*) FROM api_tokens WHERE id = :id", soci::use(id),
        soci::into(exists);
    if (exists == 0) {
      return Error::NotFound("no token " + id + " (rectify token list shows the tokens)");
    }
    long long at = ToMicros(event.at);
    db_.session() << "UPDATE api_tokens SET revoked_at = :at WHERE id = :id AND revoked_at IS NULL",
        soci::use(at), soci::use(id);
    AppendEvent(db_, event);
    return OkStatus();
  });
}

Status SociAccountStore::AddSession(const auth::SessionRecord& s, const auth::AccountEvent& event) {
  return InTransaction(db_, "start a session for " + s.person, [&]() -> Status {
    long long created = ToMicros(s.created_at), seen = ToMicros(s.last_seen_at),
              expires = ToMicros(s.expires_at);
    db_.session() << "INSERT INTO sessions (id_hash, person, address, created_at, last_seen_at, "
                     "expires_at) VALUES (:id, :person, :address, :created, :seen, :expires)",
        soci::use(s.id_hash), soci::use(s.person), soci::use(s.address), soci::use(created),
        soci::use(seen), soci::use(expires);
    AppendEvent(db_, event);
    return OkStatus();
  });
}

Result<std::optional<auth::SessionRecord>> SociAccountStore::FindSession(
    const std::string& id_hash) {
  try {
    auth::SessionRecord s;
    long long created = 0, seen = 0, expires = 0, ended = 0;
    soci::indicator ended_ind = soci::i_null;
    db_.session() << "SELECT id_hash, person, address, created_at, last_seen_at, expires_at, "
                     "ended_at FROM sessions WHERE id_hash = :id",
        soci::use(id_hash), soci::into(s.id_hash), soci::into(s.person), soci::into(s.address),
        soci::into(created), soci::into(seen), soci::into(expires), soci::into(ended, ended_ind);
    if (!db_.session().got_data()) return std::optional<auth::SessionRecord>();
    s.created_at = FromMicros(created);
    s.last_seen_at = FromMicros(seen);
    s.expires_at = FromMicros(expires);
    s.ended_at = Optional(ended, ended_ind);
    return std::optional<auth::SessionRecord>(s);
  } catch (const std::exception& e) {
    return db_.MapError(e, "read a session");
  }
}

Status SociAccountStore::TouchSession(const std::string& id_hash, Timestamp at) {
  return InTransaction(db_, "touch a session", [&]() -> Status {
    long long t = ToMicros(at);
    db_.session() << "UPDATE sessions SET last_seen_at = :at WHERE id_hash = :id AND "
                     "last_seen_at < :at2",
        soci::use(t), soci::use(id_hash), soci::use(t);
    return OkStatus();
  });
}

Status SociAccountStore::EndSession(const std::string& id_hash, const auth::AccountEvent& event) {
  return InTransaction(db_, "end a session", [&]() -> Status {
    long long t = ToMicros(event.at);
    db_.session() << "UPDATE sessions SET ended_at = :at WHERE id_hash = :id AND ended_at IS NULL",
        soci::use(t), soci::use(id_hash);
    AppendEvent(db_, event);
    return OkStatus();
  });
}

Status SociAccountStore::RecordEvent(const auth::AccountEvent& event) {
  try {
    AppendEvent(db_, event);
  } catch (const std::exception& e) {
    return db_.MapError(e, "record an account event");
  }
  return OkStatus();
}

Result<std::vector<auth::AccountEvent>> SociAccountStore::Events(const std::string& person,
                                                                 int limit) {
  std::vector<auth::AccountEvent> out;
  try {
    auth::AccountEvent e;
    long long at = 0;
    long long lim = limit;
    std::string sql = "SELECT at, person, actor, channel, event, detail FROM account_events ";
    sql += person.empty() ? "" : "WHERE person = :person ";
    sql += "ORDER BY id DESC LIMIT :lim";
    soci::statement st(db_.session());
    st.alloc();
    st.prepare(sql, soci::details::st_one_time_query);  // one round trip on PostgreSQL
    st.exchange(soci::into(at));
    st.exchange(soci::into(e.person));
    st.exchange(soci::into(e.actor));
    st.exchange(soci::into(e.channel));
    st.exchange(soci::into(e.event));
    st.exchange(soci::into(e.detail));
    std::string bound = person;
    if (!person.empty()) st.exchange(soci::use(bound));
    st.exchange(soci::use(lim));
    st.define_and_bind();
    st.execute(false);
    while (st.fetch()) {
      e.at = FromMicros(at);
      out.push_back(e);
    }
  } catch (const std::exception& ex) {
    return db_.MapError(ex, "read account events");
  }
  return out;
}

}  // namespace rectify::store_soci
