#include "adapters/store/soci/batch.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>  // wraps <sqlite3.h> in namespace sqlite_api

namespace rectify::store_soci {

using namespace sqlite_api;  // NOLINT(google-build-using-namespace): SQLite's C API, as SOCI wraps
                             // it

std::string PgArrayLiteral(const std::vector<Value>& column) {
  std::string out = "{";
  for (std::size_t i = 0; i < column.size(); ++i) {
    if (i > 0) out += ',';
    if (!column[i]) {
      out += "NULL";
      continue;
    }
    out += '"';
    for (char c : *column[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string KeyOf(const Row& row, int key_columns) {
  std::string key;
  for (int i = 0; i < key_columns; ++i) {
    if (i > 0) key += kKeySeparator;
    key += row[i].value_or("");
  }
  return key;
}

std::int64_t RowInt(const soci::row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return 0;
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_integer:
      return r.get<int>(i);
    case soci::dt_unsigned_long_long:
      return static_cast<std::int64_t>(r.get<unsigned long long>(i));
    case soci::dt_double:
      return static_cast<std::int64_t>(r.get<double>(i));
    default:
      return r.get<long long>(i);
  }
}

void PrepareOnce(soci::statement& st, const std::string& query) {
  st.alloc();
  st.prepare(query, soci::details::st_one_time_query);
  st.define_and_bind();
}

Statement::~Statement() {
  if (named_)
    static_cast<soci::postgresql_statement_backend*>(get_backend())->statementName_.clear();
}

void Statement::Prepare(const std::string& query) {
  alloc();
  // On PostgreSQL this only rewrites :name into $1, $2, ... (no round trip).
  prepare(query, soci::details::st_one_time_query);
  if (db_.is_postgres()) {
    auto* backend = static_cast<soci::postgresql_statement_backend*>(get_backend());
    backend->statementName_ =
        db_.PreparedName(backend->query_, static_cast<int>(backend->names_.size()));
    backend->stType_ = soci::details::st_repeatable_query;
    named_ = true;
  }
  define_and_bind();
}

std::vector<std::string> RunBatch(Database& db, const BatchSql& sql, const std::vector<Row>& rows,
                                  int key_columns) {
  std::vector<std::string> keys;
  if (rows.empty()) return keys;
  const std::size_t columns = rows.front().size();
  if (db.is_postgres()) {
    std::vector<std::string> arrays(columns);
    for (std::size_t c = 0; c < columns; ++c) {
      std::vector<Value> column;
      column.reserve(rows.size());
      for (const Row& row : rows) column.push_back(row[c]);
      arrays[c] = PgArrayLiteral(column);
    }
    Statement st(db);
    std::string key;
    if (key_columns > 0) st.exchange(soci::into(key));
    for (std::string& a : arrays) st.exchange(soci::use(a));
    st.Prepare(sql.postgresql);
    if (key_columns > 0) {
      st.execute();
      while (st.fetch()) keys.push_back(key);
    } else {
      st.execute(true);
    }
    return keys;
  }
  // SQLite: the statement is prepared once per connection, each row's values are bound in place
  // (no copies) and the statement is stepped and reset, through SQLite's own API: this runs for
  // every row of every batch.
  sqlite3_stmt* st = db.CachedStatement(sql.sqlite);
  sqlite3* handle = sqlite3_db_handle(st);
  struct Reset {
    sqlite3_stmt* st;
    ~Reset() {
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);
    }
  };
  for (const Row& row : rows) {
    Reset reset{st};
    for (std::size_t c = 0; c < columns; ++c) {
      int rc = row[c] ? sqlite3_bind_text(st, static_cast<int>(c + 1), row[c]->data(),
                                          static_cast<int>(row[c]->size()), SQLITE_STATIC)
                      : sqlite3_bind_null(st, static_cast<int>(c + 1));
      if (rc != SQLITE_OK) throw soci::sqlite3_soci_error(sqlite3_errmsg(handle), rc);
    }
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
      // The statement's error, with its extended code on the connection for MapError.
      rc = sqlite3_reset(st);
      throw soci::sqlite3_soci_error(sqlite3_errmsg(handle), rc);
    }
    if (key_columns > 0 && sqlite3_changes(handle) > 0) keys.push_back(KeyOf(row, key_columns));
  }
  return keys;
}

}  // namespace rectify::store_soci
