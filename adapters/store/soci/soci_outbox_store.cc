#include "adapters/store/soci/soci_outbox_store.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "adapters/store/soci/batch.h"
#include "adapters/store/soci/transaction.h"

namespace rectify::store_soci {

namespace {

constexpr const char* kRowColumns =
    "o.id, o.dedup_key, o.instance_id, o.channel, o.recipient, o.template, o.payload, "
    "o.not_before, o.state, o.attempts, o.next_attempt_at, o.last_error, o.created_at";

// Binds the outputs of kRowColumns, in order, and turns a fetched row into a record.
struct RowInto {
  OutboxRecord o;
  long long id = 0, attempts = 0, not_before = 0, next_attempt_at = 0, created_at = 0;
  std::string state;

  void Bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(o.dedup_key));
    st.exchange(soci::into(o.instance_id));
    st.exchange(soci::into(o.channel));
    st.exchange(soci::into(o.recipient));
    st.exchange(soci::into(o.template_name));
    st.exchange(soci::into(o.payload_json));
    st.exchange(soci::into(not_before));
    st.exchange(soci::into(state));
    st.exchange(soci::into(attempts));
    st.exchange(soci::into(next_attempt_at));
    st.exchange(soci::into(o.last_error));
    st.exchange(soci::into(created_at));
  }

  Result<OutboxRecord> Get() const {
    auto parsed = ParseOutboxState(state);
    if (!parsed) return parsed.error();
    OutboxRecord r = o;
    r.id = id;
    r.state = *parsed;
    r.attempts = attempts;
    r.not_before = FromMicros(not_before);
    r.next_attempt_at = FromMicros(next_attempt_at);
    r.created_at = FromMicros(created_at);
    return r;
  }
};

// batch.h's Row; inside SociOutboxStore, `Row` is the member function.
using BatchRow = Row;

std::string Int(std::int64_t v) { return std::to_string(v); }
std::string Micros(Timestamp t) { return std::to_string(ToMicros(t)); }

}  // namespace

Result<std::vector<notify::ClaimedRow>> SociOutboxStore::Claim(Timestamp now, std::int64_t limit,
                                                               const std::string& owner,
                                                               Timestamp lease_until) {
  std::vector<notify::ClaimedRow> out;
  if (limit <= 0) return out;
  long long now_us = ToMicros(now), now2_us = now_us, until_us = ToMicros(lease_until), lim = limit;
  std::string who = owner;
  constexpr const char* kFree =
      "o.state = 'pending' AND o.next_attempt_at <= :now AND "
      "(o.lease_until IS NULL OR o.lease_until <= :now2)";
  if (db_.is_postgres()) {
    // One statement, so one implicit transaction: SKIP LOCKED keeps concurrent claimers apart and
    // the rows' live leases keep them apart after it commits.
    try {
      RowInto r;
      long long token = 0;
      std::string previous;
      soci::indicator previous_ind = soci::i_ok;
      Statement st(db_);
      r.Bind(st);
      st.exchange(soci::into(token));
      st.exchange(soci::into(previous, previous_ind));
      st.exchange(soci::use(who, "owner"));
      st.exchange(soci::use(until_us, "until"));
      st.exchange(soci::use(now_us, "now"));
      st.exchange(soci::use(now2_us, "now2"));
      st.exchange(soci::use(lim, "limit"));
      st.Prepare(std::string("WITH picked AS (SELECT o.id, o.lease_owner AS previous FROM "
                             "outbox AS o WHERE ") +
                 kFree +
                 " ORDER BY o.next_attempt_at, o.id LIMIT :limit FOR UPDATE SKIP LOCKED), "
                 "token AS (SELECT nextval('outbox_lease_tokens') AS v) "
                 "UPDATE outbox AS o SET lease_owner = :owner, lease_until = :until, "
                 "lease_token = (SELECT v FROM token) FROM picked AS p WHERE o.id = p.id "
                 "RETURNING " +
                 kRowColumns + ", o.lease_token, p.previous");
      st.execute();
      while (st.fetch()) {
        auto rec = r.Get();
        if (!rec) return rec.error();
        out.push_back({std::move(*rec), token, previous_ind == soci::i_null ? "" : previous});
      }
    } catch (const std::exception& e) {
      return db_.MapError(e, "claim outbox rows");
    }
  } else {
    Status s = InTransaction(db_, "claim outbox rows", [&]() -> Status {
      long long token = 0;
      db_.session() << "UPDATE outbox_lease_tokens SET last = last + 1 RETURNING last",
          soci::into(token);
      RowInto r;
      std::string previous;
      soci::indicator previous_ind = soci::i_ok;
      Statement st(db_);
      r.Bind(st);
      st.exchange(soci::into(previous, previous_ind));
      st.exchange(soci::use(now_us, "now"));
      st.exchange(soci::use(now2_us, "now2"));
      st.exchange(soci::use(lim, "limit"));
      st.Prepare(std::string("SELECT ") + kRowColumns + ", o.lease_owner FROM outbox AS o WHERE " +
                 kFree + " ORDER BY o.next_attempt_at, o.id LIMIT :limit");
      st.execute();
      while (st.fetch()) {
        auto rec = r.Get();
        if (!rec) return rec.error();
        out.push_back({std::move(*rec), token, previous_ind == soci::i_null ? "" : previous});
      }
      std::vector<BatchRow> rows;
      rows.reserve(out.size());
      for (const auto& c : out) rows.push_back({who, Int(until_us), Int(token), Int(c.row.id)});
      RunBatch(db_,
               {"",
                "UPDATE outbox SET lease_owner = ?1, lease_until = ?2, lease_token = ?3 "
                "WHERE id = ?4"},
               rows);
      return OkStatus();
    });
    if (!s) return s.error();
  }
  std::sort(out.begin(), out.end(), [](const notify::ClaimedRow& a, const notify::ClaimedRow& b) {
    if (a.row.next_attempt_at != b.row.next_attempt_at) {
      return a.row.next_attempt_at < b.row.next_attempt_at;
    }
    return a.row.id < b.row.id;
  });
  return out;
}

Result<std::vector<std::int64_t>> SociOutboxStore::Finish(
    const std::vector<notify::RowResult>& results) {
  std::vector<std::int64_t> lost;
  if (results.empty()) return lost;
  std::vector<BatchRow> attempts, sent, other;
  for (const auto& r : results) {
    for (const auto& a : r.attempts) {
      attempts.push_back(
          {Int(a.outbox_id), Int(a.attempt), Micros(a.at), a.channel, a.outcome, a.detail});
    }
    if (r.state == OutboxState::kSent) {
      const Timestamp at = r.sent_at.value_or(Timestamp{});
      sent.push_back({Int(r.outbox_id), Int(r.lease_token), Int(r.attempts_total), Micros(at),
                      r.provider_ref, std::string(notify::ReceiptStateName(r.receipt)),
                      r.receipt_code, r.receipt_detail,
                      notify::IsFinalReceipt(r.receipt) ? Value(Micros(at)) : Value()});
    } else {
      other.push_back({Int(r.outbox_id), Int(r.lease_token), std::string(OutboxStateName(r.state)),
                       Int(r.attempts_total), Micros(r.next_attempt_at), r.last_error});
    }
  }
  Status s = InTransaction(db_, "record deliveries", [&]() -> Status {
    RunBatch(db_,
             {"INSERT INTO delivery_attempts (outbox_id, attempt, at, channel, outcome, detail) "
              "SELECT * FROM unnest(:c0::bigint[], :c1::bigint[], :c2::bigint[], :c3::text[], "
              ":c4::text[], :c5::text[])",
              "INSERT INTO delivery_attempts (outbox_id, attempt, at, channel, outcome, detail) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
             attempts);
    std::vector<std::string> changed;
    if (!sent.empty()) {
      // A row the engine cancelled while it was being sent did go out: it becomes 'sent'.
      auto keys = RunBatch(
          db_,
          {"UPDATE outbox AS o SET state = 'sent', attempts = u.attempts, sent_at = u.sent_at, "
           "last_error = '', lease_owner = NULL, lease_until = NULL, provider_ref = u.ref, "
           "receipt = u.receipt, receipt_code = u.code, receipt_detail = u.detail, receipt_at = "
           "u.receipt_at FROM unnest(:c0::bigint[], :c1::bigint[], :c2::bigint[], :c3::bigint[], "
           ":c4::text[], :c5::text[], :c6::text[], :c7::text[], :c8::bigint[]) AS u(id, token, "
           "attempts, sent_at, ref, receipt, code, detail, receipt_at) "
           "WHERE o.id = u.id AND o.lease_token = u.token AND o.state IN ('pending', "
           "'cancelled') RETURNING o.id",
           "UPDATE outbox SET state = 'sent', attempts = ?3, sent_at = ?4, last_error = '', "
           "lease_owner = NULL, lease_until = NULL, provider_ref = ?5, receipt = ?6, "
           "receipt_code = ?7, receipt_detail = ?8, receipt_at = ?9 WHERE id = ?1 AND "
           "lease_token = ?2 AND state IN ('pending', 'cancelled')"},
          sent, 1);
      changed.insert(changed.end(), keys.begin(), keys.end());
    }
    if (!other.empty()) {
      auto keys = RunBatch(
          db_,
          {"UPDATE outbox AS o SET state = u.state, attempts = u.attempts, next_attempt_at = "
           "u.next_attempt_at, last_error = u.last_error, lease_owner = NULL, lease_until = NULL "
           "FROM unnest(:c0::bigint[], :c1::bigint[], :c2::text[], :c3::bigint[], :c4::bigint[], "
           ":c5::text[]) AS u(id, token, state, attempts, next_attempt_at, last_error) "
           "WHERE o.id = u.id AND o.lease_token = u.token AND o.state = 'pending' RETURNING o.id",
           "UPDATE outbox SET state = ?3, attempts = ?4, next_attempt_at = ?5, last_error = ?6, "
           "lease_owner = NULL, lease_until = NULL WHERE id = ?1 AND lease_token = ?2 AND "
           "state = 'pending'"},
          other, 1);
      changed.insert(changed.end(), keys.begin(), keys.end());
    }
    std::sort(changed.begin(), changed.end());
    for (const auto& r : results) {
      if (!std::binary_search(changed.begin(), changed.end(), Int(r.outbox_id))) {
        lost.push_back(r.outbox_id);
      }
    }
    return OkStatus();
  });
  if (!s) return s.error();
  return lost;
}

Status SociOutboxStore::PutDocuments(const std::vector<notify::DocumentRecord>& documents) {
  if (documents.empty()) return OkStatus();
  std::map<std::string, const notify::DocumentRecord*> last;
  for (const auto& d : documents) last[d.dedup_key] = &d;
  std::vector<BatchRow> rows;
  rows.reserve(last.size());
  for (const auto& [key, d] : last) {
    rows.push_back({d->dedup_key, d->instance_id, d->recipient, d->template_name, d->language,
                    d->title, d->html, Micros(d->created_at)});
  }
  return InTransaction(db_, "keep letters", [&]() -> Status {
    RunBatch(db_,
             {"INSERT INTO documents (dedup_key, instance_id, recipient, template, language, "
              "title, html, created_at) SELECT * FROM unnest(:c0::text[], :c1::text[], "
              ":c2::text[], :c3::text[], :c4::text[], :c5::text[], :c6::text[], :c7::bigint[]) "
              "ON CONFLICT (dedup_key) DO UPDATE SET html = excluded.html, title = excluded.title",
              "INSERT INTO documents (dedup_key, instance_id, recipient, template, language, "
              "title, html, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
              "ON CONFLICT (dedup_key) DO UPDATE SET html = excluded.html, title = excluded.title"},
             rows);
    return OkStatus();
  });
}

Result<std::vector<notify::DeliveryAttempt>> SociOutboxStore::QueryAttempts(
    const std::string& where_order, long long arg) {
  try {
    std::vector<notify::DeliveryAttempt> out;
    notify::DeliveryAttempt a;
    long long outbox_id = 0, attempt = 0, at = 0;
    Statement st(db_);
    st.exchange(soci::into(outbox_id));
    st.exchange(soci::into(attempt));
    st.exchange(soci::into(at));
    st.exchange(soci::into(a.channel));
    st.exchange(soci::into(a.outcome));
    st.exchange(soci::into(a.detail));
    st.exchange(soci::into(a.dedup_key));
    st.exchange(soci::into(a.instance_id));
    st.exchange(soci::into(a.recipient));
    st.exchange(soci::use(arg));
    st.Prepare(
        "SELECT a.outbox_id, a.attempt, a.at, a.channel, a.outcome, a.detail, o.dedup_key, "
        "o.instance_id, o.recipient "
        "FROM delivery_attempts AS a JOIN outbox AS o ON o.id = a.outbox_id " +
        where_order);
    st.execute();
    while (st.fetch()) {
      a.outbox_id = outbox_id;
      a.attempt = attempt;
      a.at = FromMicros(at);
      out.push_back(a);
    }
    return out;
  } catch (const std::exception& e) {
    return db_.MapError(e, "read delivery attempts");
  }
}

Result<std::vector<notify::DeliveryAttempt>> SociOutboxStore::Attempts(std::int64_t outbox_id) {
  return QueryAttempts("WHERE a.outbox_id = :id ORDER BY a.id", outbox_id);
}

Result<std::vector<notify::DeliveryAttempt>> SociOutboxStore::RecentAttempts(std::int64_t limit) {
  return QueryAttempts("ORDER BY a.id DESC LIMIT :limit", limit);
}

Result<std::vector<OutboxRecord>> SociOutboxStore::QueryRows(const std::string& where,
                                                             const std::string& text_arg,
                                                             long long int_arg) {
  try {
    std::vector<OutboxRecord> out;
    RowInto r;
    Statement st(db_);
    r.Bind(st);
    std::string text = text_arg;
    long long n = int_arg;
    if (!text.empty()) st.exchange(soci::use(text));
    st.exchange(soci::use(n));
    st.Prepare(std::string("SELECT ") + kRowColumns + " FROM outbox AS o " + where);
    st.execute();
    while (st.fetch()) {
      auto rec = r.Get();
      if (!rec) return rec.error();
      out.push_back(std::move(*rec));
    }
    return out;
  } catch (const std::exception& e) {
    return db_.MapError(e, "read the outbox");
  }
}

Result<std::vector<OutboxRecord>> SociOutboxStore::DeadLetters(std::int64_t limit) {
  return QueryRows("WHERE o.state = 'dead' ORDER BY o.id LIMIT :limit", "", limit);
}

Result<OutboxRecord> SociOutboxStore::Row(const std::string& dedup_key) {
  auto rows = QueryRows("WHERE o.dedup_key = :key LIMIT :limit", dedup_key, 1);
  if (!rows) return rows.error();
  if (rows->empty()) return Error::NotFound("no outbox row '" + dedup_key + "'");
  return rows->front();
}

Result<OutboxRecord> SociOutboxStore::RowById(std::int64_t id) {
  auto rows = QueryRows("WHERE o.id = :id", "", id);
  if (!rows) return rows.error();
  if (rows->empty()) return Error::NotFound("no delivery " + std::to_string(id));
  return rows->front();
}

Result<std::vector<OutboxRecord>> SociOutboxStore::List(const notify::OutboxQuery& query) {
  try {
    std::vector<OutboxRecord> out;
    RowInto r;
    Statement st(db_);
    r.Bind(st);
    std::string instance = query.instance_id.value_or("");
    std::string recipient = query.recipient.value_or("");
    std::string state = query.state ? std::string(OutboxStateName(*query.state)) : "";
    long long limit = query.limit;
    std::string where = "WHERE 1 = 1";
    if (query.instance_id) {
      st.exchange(soci::use(instance, "instance"));
      where += " AND o.instance_id = :instance";
    }
    if (query.recipient) {
      st.exchange(soci::use(recipient, "recipient"));
      where += " AND o.recipient = :recipient";
    }
    if (query.state) {
      st.exchange(soci::use(state, "state"));
      where += " AND o.state = :state";
    }
    st.exchange(soci::use(limit, "limit"));
    st.Prepare(std::string("SELECT ") + kRowColumns + " FROM outbox AS o " + where +
               " ORDER BY o.next_attempt_at, o.id LIMIT :limit");
    st.execute();
    while (st.fetch()) {
      auto rec = r.Get();
      if (!rec) return rec.error();
      out.push_back(std::move(*rec));
    }
    return out;
  } catch (const std::exception& e) {
    return db_.MapError(e, "read the outbox");
  }
}

Result<std::vector<notify::DocumentRecord>> SociOutboxStore::DocumentsOf(
    const std::string& instance_id) {
  try {
    std::vector<notify::DocumentRecord> out;
    notify::DocumentRecord d;
    long long created_at = 0;
    std::string id = instance_id;
    Statement st(db_);
    st.exchange(soci::into(d.dedup_key));
    st.exchange(soci::into(d.instance_id));
    st.exchange(soci::into(d.recipient));
    st.exchange(soci::into(d.template_name));
    st.exchange(soci::into(d.language));
    st.exchange(soci::into(d.title));
    st.exchange(soci::into(d.html));
    st.exchange(soci::into(created_at));
    st.exchange(soci::use(id));
    st.Prepare(
        "SELECT dedup_key, instance_id, recipient, template, language, title, html, "
        "created_at FROM documents WHERE instance_id = :id ORDER BY created_at, dedup_key");
    st.execute();
    while (st.fetch()) {
      d.created_at = FromMicros(created_at);
      out.push_back(d);
    }
    return out;
  } catch (const std::exception& e) {
    return db_.MapError(e, "read letters");
  }
}

Result<notify::DeliveryCounts> SociOutboxStore::Counts(Timestamp now) {
  try {
    notify::DeliveryCounts c;
    std::string state;
    long long leased = 0, retried = 0, n = 0, now_us = ToMicros(now);
    Statement st(db_);
    st.exchange(soci::into(state));
    st.exchange(soci::into(leased));
    st.exchange(soci::into(retried));
    st.exchange(soci::into(n));
    st.exchange(soci::use(now_us));
    st.Prepare(
        "SELECT state, CASE WHEN lease_until IS NOT NULL AND lease_until > :now THEN 1 "
        "ELSE 0 END AS leased, CASE WHEN attempts > 0 THEN 1 ELSE 0 END AS retried, "
        "count(*) FROM outbox GROUP BY 1, 2, 3");
    st.execute();
    while (st.fetch()) {
      if (state == "sent") {
        c.delivered += n;
      } else if (state == "dead") {
        c.dead += n;
      } else if (state == "cancelled") {
        c.cancelled += n;
      } else if (leased) {
        c.sending += n;
      } else if (retried) {
        c.waiting_to_retry += n;
      } else {
        c.queued += n;
      }
    }
    long long attempts = 0;
    db_.session() << "SELECT count(*) FROM delivery_attempts", soci::into(attempts);
    c.attempts = attempts;
    return c;
  } catch (const std::exception& e) {
    return db_.MapError(e, "count deliveries");
  }
}

Result<std::int64_t> SociOutboxStore::Requeue(Timestamp now) {
  try {
    long long now_us = ToMicros(now);
    Statement st(db_);
    st.exchange(soci::use(now_us));
    st.Prepare(
        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = :now, "
        "lease_owner = NULL, lease_until = NULL WHERE state = 'dead'");
    st.execute(true);
    return static_cast<std::int64_t>(st.get_affected_rows());
  } catch (const std::exception& e) {
    return db_.MapError(e, "requeue dead letters");
  }
}

Result<std::vector<notify::ReceiptResult>> SociOutboxStore::ApplyReceipts(
    const std::vector<notify::ReceiptReport>& reports) {
  std::vector<notify::ReceiptResult> out;
  if (reports.empty()) return out;
  Status s = InTransaction(db_, "record delivery receipts", [&]() -> Status {
    out.clear();
    for (const notify::ReceiptReport& rep : reports) {
      std::string ref = rep.provider_ref;
      // Every row the provider's id names: a digest's rows went as one message.
      std::vector<std::tuple<long long, std::string, std::string>> rows;
      if (!ref.empty()) {
        long long id = 0;
        std::string current, key;
        soci::statement sel =
            (db_.session().prepare << "SELECT id, receipt, dedup_key FROM outbox WHERE "
                                      "provider_ref = :ref ORDER BY id",
             soci::into(id), soci::into(current), soci::into(key), soci::use(ref));
        sel.execute();
        while (sel.fetch()) rows.emplace_back(id, current, key);
      }
      std::string state(notify::ReceiptStateName(rep.state)), code = rep.code, detail = rep.detail,
                                                              source = rep.source;
      long long at = ToMicros(rep.at);
      auto log = [&](long long id, soci::indicator ind, const std::string& outcome) {
        db_.session() << "INSERT INTO delivery_receipts (outbox_id, provider_ref, state, code, "
                         "detail, source, outcome, at) VALUES (:id, :ref, :state, :code, "
                         ":detail, :source, :outcome, :at)",
            soci::use(id, ind), soci::use(ref), soci::use(state), soci::use(code),
            soci::use(detail), soci::use(source), soci::use(outcome), soci::use(at);
      };
      if (rows.empty()) {
        log(0, soci::i_null, "unknown");
        out.push_back({rep, false, notify::ReceiptMove::kRefused, ""});
        continue;
      }
      for (auto& [id, current, key] : rows) {
        notify::ReceiptResult res{rep, true, notify::ReceiptMove::kRefused, key};
        auto parsed = notify::ParseReceiptState(current);
        if (!parsed) return parsed.error();
        res.move = notify::NextReceipt(*parsed, rep.state);
        if (res.move == notify::ReceiptMove::kApply) {
          long long row = id;
          // Fenced by the state read above: a concurrent receipt that moved it first wins.
          soci::statement st =
              (db_.session().prepare << "UPDATE outbox SET receipt = :state, receipt_code = :code, "
                                        "receipt_detail = :detail, receipt_at = :at WHERE id = :id "
                                        "AND receipt = :current",
               soci::use(state), soci::use(code), soci::use(detail), soci::use(at), soci::use(row),
               soci::use(current));
          st.execute(true);
          if (st.get_affected_rows() == 0) res.move = notify::ReceiptMove::kRefused;
        }
        log(id, soci::i_ok, std::string(notify::ReceiptMoveName(res.move)));
        out.push_back(std::move(res));
      }
    }
    return OkStatus();
  });
  if (!s) return s.error();
  return out;
}

namespace {

// The receipt columns of migration 0019, read after kRowColumns or alone.
constexpr const char* kReceiptColumns =
    "o.id, o.provider_ref, o.receipt, o.receipt_code, o.receipt_detail, o.receipt_at, o.sent_at";

struct ReceiptInto {
  notify::DeliveryReceipt r;
  long long id = 0, at = 0, sent_at = 0;
  std::string state;
  soci::indicator at_ind = soci::i_null, sent_ind = soci::i_null;

  void Bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(r.provider_ref));
    st.exchange(soci::into(state));
    st.exchange(soci::into(r.code));
    st.exchange(soci::into(r.detail));
    st.exchange(soci::into(at, at_ind));
    st.exchange(soci::into(sent_at, sent_ind));
  }

  Result<notify::DeliveryReceipt> Get() const {
    auto parsed = notify::ParseReceiptState(state);
    if (!parsed) return parsed.error();
    notify::DeliveryReceipt out = r;
    out.outbox_id = id;
    out.state = *parsed;
    out.at.reset();
    out.sent_at.reset();
    if (at_ind == soci::i_ok) out.at = FromMicros(at);
    if (sent_ind == soci::i_ok) out.sent_at = FromMicros(sent_at);
    return out;
  }
};

}  // namespace

namespace {

// At most `limit` outbox rows with their receipts, chosen and ordered by `where` (T: a row and its
// receipt, AwaitingReceipt or NotReached).
template <typename T>
Result<std::vector<T>> RowsWithReceipts(Database& db, const std::string& where, std::int64_t limit,
                                        const std::string& what) {
  try {
    std::vector<T> out;
    RowInto row;
    ReceiptInto receipt;
    long long n = limit;
    Statement st(db);
    row.Bind(st);
    receipt.Bind(st);
    st.exchange(soci::use(n));
    st.Prepare(std::string("SELECT ") + kRowColumns + ", " + kReceiptColumns +
               " FROM outbox AS o WHERE " + where + " LIMIT :limit");
    st.execute();
    while (st.fetch()) {
      auto r = row.Get();
      if (!r) return r.error();
      auto c = receipt.Get();
      if (!c) return c.error();
      out.push_back({std::move(*r), std::move(*c)});
    }
    return out;
  } catch (const std::exception& e) {
    return db.MapError(e, what);
  }
}

}  // namespace

Result<std::vector<notify::AwaitingReceipt>> SociOutboxStore::AwaitingReceipts(std::int64_t limit) {
  return RowsWithReceipts<notify::AwaitingReceipt>(db_,
                                                   "o.receipt = 'sent' ORDER BY o.sent_at, o.id",
                                                   limit, "read the deliveries awaiting a receipt");
}

Result<std::map<std::int64_t, notify::DeliveryReceipt>> SociOutboxStore::ReceiptsOf(
    const std::vector<std::int64_t>& outbox_ids) {
  std::map<std::int64_t, notify::DeliveryReceipt> out;
  if (outbox_ids.empty()) return out;
  try {
    // Ids are integers, so a literal list is safe; chunks keep the statement short.
    constexpr std::size_t kChunk = 500;
    for (std::size_t from = 0; from < outbox_ids.size(); from += kChunk) {
      std::string list;
      for (std::size_t i = from; i < std::min(outbox_ids.size(), from + kChunk); ++i) {
        list += (list.empty() ? "" : ",") + std::to_string(outbox_ids[i]);
      }
      ReceiptInto receipt;
      Statement st(db_);
      receipt.Bind(st);
      st.Prepare(std::string("SELECT ") + kReceiptColumns + " FROM outbox AS o WHERE o.id IN (" +
                 list + ")");
      st.execute();
      while (st.fetch()) {
        auto c = receipt.Get();
        if (!c) return c.error();
        out[c->outbox_id] = std::move(*c);
      }
    }
    return out;
  } catch (const std::exception& e) {
    return db_.MapError(e, "read delivery receipts");
  }
}

Result<std::vector<notify::NotReached>> SociOutboxStore::NotReachedRows(std::int64_t limit) {
  return RowsWithReceipts<notify::NotReached>(
      db_,
      "o.followed_up = 0 AND (o.state = 'dead' OR o.receipt IN ('failed', 'unknown')) ORDER BY "
      "o.id",
      limit, "read the messages that did not reach their person");
}

Result<bool> SociOutboxStore::ApplyFollowUp(const notify::FollowUp& f) {
  bool applied = false;
  Status s =
      InTransaction(db_, "follow up a message that did not reach its person", [&]() -> Status {
        long long id = f.outbox_id;
        soci::statement mark =
            (db_.session().prepare << "UPDATE outbox SET followed_up = 1 WHERE id = :id AND "
                                      "followed_up = 0",
             soci::use(id));
        mark.execute(true);
        applied = mark.get_affected_rows() > 0;
        if (!applied) return OkStatus();
        std::vector<BatchRow> rows;
        for (const OutboxRecord& r : f.inserts) {
          rows.push_back({r.dedup_key, r.instance_id, r.channel, r.recipient, r.template_name,
                          r.payload_json, Micros(r.not_before), Micros(r.created_at)});
        }
        if (!rows.empty()) {
          RunBatch(
              db_,
              {"INSERT INTO outbox (dedup_key, instance_id, channel, recipient, template, "
               "payload, not_before, created_at, state, attempts, next_attempt_at, last_error) "
               "SELECT u.*, 'pending', 0, u.not_before, '' FROM unnest(:c0::text[], "
               ":c1::text[], :c2::text[], :c3::text[], :c4::text[], :c5::text[], "
               ":c6::bigint[], :c7::bigint[]) AS u(dedup_key, instance_id, channel, recipient, "
               "template, payload, not_before, created_at) ON CONFLICT (dedup_key) DO NOTHING",
               "INSERT INTO outbox (dedup_key, instance_id, channel, recipient, template, "
               "payload, not_before, created_at, state, attempts, next_attempt_at, last_error) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', 0, ?7, '') "
               "ON CONFLICT (dedup_key) DO NOTHING"},
              rows);
        }
        if (f.unreached) {
          const notify::UnreachedRecord& u = *f.unreached;
          RunBatch(
              db_,
              {"INSERT INTO unreached_people (origin_key, instance_id, person, template, routes, "
               "reported_to, report_key, at) SELECT * FROM unnest(:c0::text[], :c1::text[], "
               ":c2::text[], :c3::text[], :c4::text[], :c5::text[], :c6::text[], "
               ":c7::bigint[]) ON CONFLICT (origin_key) DO NOTHING",
               "INSERT INTO unreached_people (origin_key, instance_id, person, template, routes, "
               "reported_to, report_key, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
               "ON CONFLICT (origin_key) DO NOTHING"},
              {{u.origin_key, u.instance_id, u.person, u.template_name, u.routes, u.reported_to,
                u.report_key, Micros(u.at)}});
        }
        return OkStatus();
      });
  if (!s) return s.error();
  return applied;
}

Result<std::vector<notify::UnreachedRecord>> SociOutboxStore::Unreached(std::int64_t limit) {
  try {
    std::vector<notify::UnreachedRecord> out;
    notify::UnreachedRecord u;
    long long at = 0, n = limit;
    Statement st(db_);
    st.exchange(soci::into(u.origin_key));
    st.exchange(soci::into(u.instance_id));
    st.exchange(soci::into(u.person));
    st.exchange(soci::into(u.template_name));
    st.exchange(soci::into(u.routes));
    st.exchange(soci::into(u.reported_to));
    st.exchange(soci::into(u.report_key));
    st.exchange(soci::into(at));
    st.exchange(soci::use(n));
    st.Prepare(
        "SELECT origin_key, instance_id, person, template, routes, reported_to, "
        "report_key, at FROM unreached_people ORDER BY at, origin_key LIMIT :limit");
    st.execute();
    while (st.fetch()) {
      u.at = FromMicros(at);
      out.push_back(u);
    }
    return out;
  } catch (const std::exception& e) {
    return db_.MapError(e, "read the people not reached");
  }
}

}  // namespace rectify::store_soci
