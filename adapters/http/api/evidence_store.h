// Evidence files kept in the database (migration 0007): the bytes once per content, keyed by
// their SHA-256 (evidence_blobs, as base64 text), and which item each was uploaded for, under
// which name, by whom (item_evidence). docs/architecture.md ("Evidence files") says why the
// database and not a folder.
//
//   auto saved = SaveEvidence(db, "T-A1", "xs-0014", {{"照片.jpg", "image/jpeg", bytes}}, now);
//   auto file = FindEvidence(db, "T-A1", saved->front().sha256);   // nullopt: not for this item
//   auto bytes = EvidenceContent(db, file->sha256);
//
// Contents are named by Sha256Hex; a route checks a hash it is given with IsSha256Hex
// (rectify/sha256.h, included here for them) before looking it up.
//
// Thread-safety: as the Database (one thread at a time).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "adapters/store/soci/database.h"
#include "rectify/result.h"
#include "rectify/sha256.h"
#include "rectify/timestamp.h"

namespace rectify::api {

struct NewEvidence {
  std::string name;  // checked display name
  std::string type;  // sniffed type
  std::string content;
};

struct StoredEvidence {
  std::string sha256;
  std::string name;
  std::string type;
  std::int64_t size = 0;
  std::string uploaded_by;
  Timestamp uploaded_at;
};

// Stores `files` for `item_id` in one transaction, all or nothing. A content already stored is
// not stored again; a file already uploaded for the item keeps its first name and uploader. The
// answer is each file as now recorded for the item, in the order given.
Result<std::vector<StoredEvidence>> SaveEvidence(store_soci::Database& db,
                                                 const std::string& item_id,
                                                 const std::string& person,
                                                 const std::vector<NewEvidence>& files,
                                                 Timestamp now);

// The files uploaded for an item, oldest first.
Result<std::vector<StoredEvidence>> ListEvidence(store_soci::Database& db,
                                                 const std::string& item_id);

// One file of an item by its hash; nullopt when it was not uploaded for that item.
Result<std::optional<StoredEvidence>> FindEvidence(store_soci::Database& db,
                                                   const std::string& item_id,
                                                   const std::string& sha256);

// The bytes of a stored content.
Result<std::string> EvidenceContent(store_soci::Database& db, const std::string& sha256);

}  // namespace rectify::api
