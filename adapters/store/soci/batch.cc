#include "adapters/store/soci/batch.h"

namespace rectify::store_soci {

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

void PrepareOnce(soci::statement& st, const std::string& query) {
  st.alloc();
  st.prepare(query, soci::details::st_one_time_query);
  st.define_and_bind();
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
    soci::statement st(db.session());
    std::string key;
    if (key_columns > 0) st.exchange(soci::into(key));
    for (std::string& a : arrays) st.exchange(soci::use(a));
    PrepareOnce(st, sql.postgresql);
    if (key_columns > 0) {
      st.execute();
      while (st.fetch()) keys.push_back(key);
    } else {
      st.execute(true);
    }
    return keys;
  }
  std::vector<std::string> values(columns);
  std::vector<soci::indicator> nulls(columns, soci::i_ok);
  soci::statement st(db.session());
  for (std::size_t c = 0; c < columns; ++c) st.exchange(soci::use(values[c], nulls[c]));
  st.alloc();
  st.prepare(sql.sqlite, soci::details::st_repeatable_query);
  st.define_and_bind();
  for (const Row& row : rows) {
    for (std::size_t c = 0; c < columns; ++c) {
      nulls[c] = row[c] ? soci::i_ok : soci::i_null;
      values[c] = row[c].value_or("");
    }
    st.execute(true);
    if (key_columns > 0 && st.get_affected_rows() > 0) keys.push_back(KeyOf(row, key_columns));
  }
  return keys;
}

}  // namespace rectify::store_soci
