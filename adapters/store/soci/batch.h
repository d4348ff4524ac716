// Batched statements: one statement per table per batch on PostgreSQL, one prepared statement
// reused row by row on SQLite (DESIGN.md section 6 measured why).
//
// A batch is a list of rows of text values (NULL as nullopt). On PostgreSQL each column is bound
// once, as a text array literal, to a statement that reads `unnest(:c0::text[], :c1::bigint[],
// ...)`, so a thousand rows cost one round trip. On SQLite the same rows are bound one by one to
// one statement, prepared once per connection (numbered parameters ?1, ?2, ...) and run through
// SQLite's own API; integers travel as text, which SQLite's column affinity stores as integers.
//
// Thread-safety: functions over the caller's Database; no state of their own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "adapters/store/soci/database.h"

namespace rectify::store_soci {

using Value = std::optional<std::string>;
using Row = std::vector<Value>;

// A PostgreSQL array literal of text elements: {"a","b\"c",NULL}. Every element is quoted, so
// "NULL", blanks, commas and braces in values stay values; backslashes and quotes are escaped.
std::string PgArrayLiteral(const std::vector<Value>& column);

struct BatchSql {
  std::string postgresql;  // binds one array per column, in column order
  std::string sqlite;      // binds one row's values, ?1 = column 0, ...
};

// Runs `sql` over `rows` (each row has the same number of columns). When `key_columns` > 0, returns
// the keys of the rows that changed a row: on PostgreSQL the statement must end with `RETURNING`
// the key (its columns joined with KeySeparator(), see KeyOf); on SQLite a row counts when it
// changed at least one row. Throws what SOCI throws (soci::sqlite3_soci_error on SQLite, with the
// error left on the connection for Database::MapError).
std::vector<std::string> RunBatch(Database& db, const BatchSql& sql, const std::vector<Row>& rows,
                                  int key_columns = 0);

// The key of a row: its first `key_columns` values joined with the unit separator (U+001F).
std::string KeyOf(const Row& row, int key_columns);
inline constexpr char kKeySeparator = '\x1f';

// An integer column of a dynamic row, whatever width the backend reports it with; 0 for NULL.
std::int64_t RowInt(const soci::row& r, std::size_t i);

// Prepares `st` to run `query` once (on PostgreSQL: one round trip, no server-side prepared
// statement to create and drop). Call after the into/use exchanges, before execute(). For
// statements run rarely; the store's own reads and writes use Statement.
void PrepareOnce(soci::statement& st, const std::string& query);

// A SOCI statement whose query is prepared once per connection on PostgreSQL and run by name
// (Database::PreparedName), so the server parses and plans it once, not on every execution; the
// values still travel as text, as SOCI sends them. On SQLite, what PrepareOnce does. Use it as a
// soci::statement: the into/use exchanges, then Prepare(query), then execute() and fetch().
// Errors are thrown as SOCI throws them, for Database::MapError.
//
// It hands SOCI's PostgreSQL backend the name of the connection's statement in place of one of
// its own, and takes the name back before SOCI's destructor would DEALLOCATE it.
class Statement : public soci::statement {
 public:
  explicit Statement(Database& db) : soci::statement(db.session()), db_(db) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  void Prepare(const std::string& query);

 private:
  Database& db_;
  bool named_ = false;
};

}  // namespace rectify::store_soci
