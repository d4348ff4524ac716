#include "adapters/store/soci/soci_admin_store.h"

#include "adapters/store/soci/soci_outbox_store.h"
#include "adapters/store/soci/transaction.h"

namespace rectify::store_soci {

namespace {

void AppendEvent(Database& db, const AdminEvent& e) {
  long long at = ToMicros(e.at);
  db.session() << "INSERT INTO admin_events (at, actor, channel, request_id, action, subject, "
                  "detail) VALUES (:at, :actor, :channel, :request_id, :action, :subject, :detail)",
      soci::use(at), soci::use(e.actor), soci::use(e.channel), soci::use(e.request_id),
      soci::use(e.action), soci::use(e.subject), soci::use(e.detail);
}

}  // namespace

Result<std::vector<DefinitionRecord>> SociAdminStore::ListDefinitions() {
  try {
    std::vector<DefinitionRecord> out;
    DefinitionRecord d;
    long long version = 0, at = 0;
    soci::statement st =
        (db_.session().prepare << "SELECT kind, name, version, content_hash, registered_at FROM "
                                  "definitions ORDER BY kind, name, version",
         soci::into(d.kind), soci::into(d.name), soci::into(version), soci::into(d.content_hash),
         soci::into(at));
    st.execute();
    while (st.fetch()) {
      d.version = version;
      d.registered_at = FromMicros(at);
      out.push_back(d);
    }
    return out;
  } catch (const std::exception& e) {
    return db_.MapError(e, "list the definitions");
  }
}

Status SociAdminStore::RecordEvent(const AdminEvent& event) {
  return InTransaction(db_, "record " + event.action, [&]() -> Status {
    AppendEvent(db_, event);
    return OkStatus();
  });
}

Result<std::vector<AdminEvent>> SociAdminStore::Events(const std::string& action,
                                                       const std::string& subject) {
  try {
    std::vector<AdminEvent> out;
    AdminEvent e;
    long long at = 0;
    soci::statement st =
        (db_.session().prepare << "SELECT at, actor, channel, request_id, action, subject, detail "
                                  "FROM admin_events WHERE action = :action AND subject = "
                                  ":subject ORDER BY id",
         soci::into(at), soci::into(e.actor), soci::into(e.channel), soci::into(e.request_id),
         soci::into(e.action), soci::into(e.subject), soci::into(e.detail), soci::use(action),
         soci::use(subject));
    st.execute();
    while (st.fetch()) {
      e.at = FromMicros(at);
      out.push_back(e);
    }
    return out;
  } catch (const std::exception& e) {
    return db_.MapError(e, "read the administrators' log");
  }
}

Result<OutboxRecord> SociAdminStore::RetryDeadLetter(std::int64_t id, Timestamp now,
                                                     const AdminEvent& event) {
  SociOutboxStore outbox(db_);
  Status s = InTransaction(db_, "retry delivery " + std::to_string(id), [&]() -> Status {
    long long row_id = id, at = ToMicros(now);
    std::string state;
    soci::indicator ind = soci::i_null;
    db_.session() << "SELECT state FROM outbox WHERE id = :id", soci::use(row_id),
        soci::into(state, ind);
    if (!db_.session().got_data() || ind == soci::i_null) {
      return Error::NotFound("no delivery " + std::to_string(id));
    }
    if (state != "dead") {
      return Error::FailedPrecondition("delivery " + std::to_string(id) + " is " + state +
                                       ", not a dead letter; only a dead letter is retried");
    }
    // Fenced on the state, so two administrators retrying at once move it once.
    soci::statement st =
        (db_.session().prepare << "UPDATE outbox SET state = 'pending', attempts = 0, "
                                  "next_attempt_at = :now, lease_owner = NULL, lease_until = NULL "
                                  "WHERE id = :id AND state = 'dead'",
         soci::use(at), soci::use(row_id));
    st.execute(true);
    if (st.get_affected_rows() != 1) {
      return Error::FailedPrecondition("delivery " + std::to_string(id) +
                                       " was retried by someone else just now");
    }
    AppendEvent(db_, event);
    return OkStatus();
  });
  if (!s) return s.error();
  return outbox.RowById(id);
}

Status SociAdminStore::AddFeed(const FeedToken& f) {
  return InTransaction(db_, "add a feed for " + f.person, [&]() -> Status {
    long long at = ToMicros(f.created_at);
    db_.session() << "INSERT INTO feed_tokens (id, person, token_hash, label, created_at) VALUES "
                     "(:id, :person, :hash, :label, :at)",
        soci::use(f.id), soci::use(f.person), soci::use(f.token_hash), soci::use(f.label),
        soci::use(at);
    return OkStatus();
  });
}

Result<std::vector<FeedToken>> SociAdminStore::QueryFeeds(const std::string& where,
                                                          const std::string& arg) {
  try {
    std::vector<FeedToken> out;
    FeedToken f;
    long long created = 0, revoked = 0;
    soci::indicator revoked_ind = soci::i_null;
    soci::statement st =
        (db_.session().prepare << "SELECT id, person, token_hash, label, created_at, revoked_at "
                                  "FROM feed_tokens " +
                                      where,
         soci::into(f.id), soci::into(f.person), soci::into(f.token_hash), soci::into(f.label),
         soci::into(created), soci::into(revoked, revoked_ind), soci::use(arg));
    st.execute();
    while (st.fetch()) {
      f.created_at = FromMicros(created);
      f.revoked_at.reset();
      if (revoked_ind == soci::i_ok) f.revoked_at = FromMicros(revoked);
      out.push_back(f);
    }
    return out;
  } catch (const std::exception& e) {
    return db_.MapError(e, "read the feeds");
  }
}

Result<std::optional<FeedToken>> SociAdminStore::FindFeed(const std::string& token_hash) {
  auto rows = QueryFeeds("WHERE token_hash = :hash", token_hash);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<FeedToken>();
  return std::optional<FeedToken>(rows->front());
}

Result<std::vector<FeedToken>> SociAdminStore::ListFeeds(const std::string& person) {
  return QueryFeeds("WHERE person = :person ORDER BY created_at, id", person);
}

Status SociAdminStore::RevokeFeed(const std::string& id, const std::string& person, Timestamp now) {
  return InTransaction(db_, "revoke feed " + id, [&]() -> Status {
    long long n = 0;
    db_.session() << "SELECT COUNT(*) FROM feed_tokens WHERE id = :id AND person = :person",
        soci::use(id), soci::use(person), soci::into(n);
    if (n == 0)
      return Error::NotFound("you have no feed " + id + " (GET /api/v1/feeds lists them)");
    long long at = ToMicros(now);
    db_.session() << "UPDATE feed_tokens SET revoked_at = :at WHERE id = :id AND revoked_at IS "
                     "NULL",
        soci::use(at), soci::use(id);
    return OkStatus();
  });
}

}  // namespace rectify::store_soci
