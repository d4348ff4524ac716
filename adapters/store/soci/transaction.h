// One write transaction on a Database, for the stores beside the engine's (outbox, accounts):
// `body` runs between BeginWrite and Commit; a Status it returns that is not OK rolls back, and so
// does anything SOCI throws, which becomes a typed error (Database::MapError) starting with
// `doing`.
//
//   Status s = InTransaction(db, "revoke token " + id, [&]() -> Status { ...; return OkStatus();
//   });
//
// Thread-safety: as the Database (one thread at a time).
#pragma once

#include <string>

#include "adapters/store/soci/database.h"

namespace rectify::store_soci {

template <typename Fn>
Status InTransaction(Database& db, const std::string& doing, Fn body) {
  if (Status s = db.BeginWrite(); !s) return s.error().WithContext(doing);
  try {
    if (Status s = body(); !s) {
      db.Rollback();
      return s;
    }
  } catch (const std::exception& e) {
    Error err = db.MapError(e, doing);
    db.Rollback();
    return err;
  }
  if (Status s = db.Commit(); !s) {
    db.Rollback();
    return s.error().WithContext(doing);
  }
  return OkStatus();
}

}  // namespace rectify::store_soci
