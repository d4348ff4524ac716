#include "adapters/http/api/evidence_store.h"

#include "adapters/store/soci/batch.h"
#include "adapters/store/soci/transaction.h"
#include "rectify/definition/canonical.h"
#include "rectify/sha256.h"

namespace rectify::api {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                      (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                      static_cast<unsigned char>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 0x3f];
  }
  std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 0x3f];
    out += kAlphabet[(n >> 12) & 0x3f];
    out += rest == 2 ? kAlphabet[(n >> 6) & 0x3f] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> FromBase64(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const char* p = std::char_traits<char>::find(kAlphabet, 64, c);
    if (!p) return Error::Internal("a stored evidence file is not base64");
    acc = (acc << 6) | static_cast<std::uint32_t>(p - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

Result<std::vector<StoredEvidence>> Query(store_soci::Database& db, const std::string& item_id,
                                          const std::string* sha256) {
  std::vector<StoredEvidence> out;
  try {
    StoredEvidence e;
    long long size = 0, at = 0;
    std::string sql =
        "SELECT e.sha256, e.name, b.type, b.size, e.uploaded_by, e.uploaded_at FROM item_evidence "
        "e JOIN evidence_blobs b ON b.sha256 = e.sha256 WHERE e.item_id = :item";
    if (sha256) sql += " AND e.sha256 = :sha";
    sql += " ORDER BY e.uploaded_at, e.sha256";
    store_soci::Statement st(db);
    st.exchange(soci::into(e.sha256));
    st.exchange(soci::into(e.name));
    st.exchange(soci::into(e.type));
    st.exchange(soci::into(size));
    st.exchange(soci::into(e.uploaded_by));
    st.exchange(soci::into(at));
    std::string item = item_id, hash = sha256 ? *sha256 : std::string();
    st.exchange(soci::use(item));
    if (sha256) st.exchange(soci::use(hash));
    st.Prepare(sql);
    st.execute(false);
    while (st.fetch()) {
      e.size = size;
      e.uploaded_at = FromMicros(at);
      out.push_back(e);
    }
  } catch (const std::exception& ex) {
    return db.MapError(ex, "read the evidence of item " + item_id);
  }
  return out;
}

}  // namespace

Result<std::vector<StoredEvidence>> SaveEvidence(store_soci::Database& db,
                                                 const std::string& item_id,
                                                 const std::string& person,
                                                 const std::vector<NewEvidence>& files,
                                                 Timestamp now) {
  std::vector<std::string> hashes;
  hashes.reserve(files.size());
  for (const auto& f : files) hashes.push_back(Sha256Hex(f.content));
  auto store = [&]() -> Status {
    return store_soci::InTransaction(db, "store evidence for item " + item_id, [&]() -> Status {
      long long at = ToMicros(now);
      for (std::size_t i = 0; i < files.size(); ++i) {
        const std::string& hash = hashes[i];
        long long have = 0;
        db.session() << "SELECT COUNT(*) FROM evidence_blobs WHERE sha256 = :h", soci::use(hash),
            soci::into(have);
        if (have == 0) {
          std::string content = Base64(files[i].content);
          long long size = static_cast<long long>(files[i].content.size());
          db.session() << "INSERT INTO evidence_blobs (sha256, type, size, content, created_at) "
                          "VALUES (:h, :t, :s, :c, :at)",
              soci::use(hash), soci::use(files[i].type), soci::use(size), soci::use(content),
              soci::use(at);
        }
        long long linked = 0;
        db.session() << "SELECT COUNT(*) FROM item_evidence WHERE item_id = :i AND sha256 = :h",
            soci::use(item_id), soci::use(hash), soci::into(linked);
        if (linked == 0) {
          db.session() << "INSERT INTO item_evidence (item_id, sha256, name, uploaded_by, "
                          "uploaded_at) VALUES (:i, :h, :n, :p, :at)",
              soci::use(item_id), soci::use(hash), soci::use(files[i].name), soci::use(person),
              soci::use(at);
        }
      }
      return OkStatus();
    });
  };
  Status s = store();
  // Two uploads of the same new file at once: the second finds the first's rows on a retry.
  if (!s && s.error().code() == ErrorCode::kUniqueViolation) s = store();
  if (!s) return s.error();
  std::vector<StoredEvidence> out;
  for (const auto& hash : hashes) {
    auto found = FindEvidence(db, item_id, hash);
    if (!found) return found.error();
    if (!*found) return Error::Internal("evidence " + hash + " was not stored");
    out.push_back(**found);
  }
  return out;
}

Result<std::vector<StoredEvidence>> ListEvidence(store_soci::Database& db,
                                                 const std::string& item_id) {
  return Query(db, item_id, nullptr);
}

Result<std::optional<StoredEvidence>> FindEvidence(store_soci::Database& db,
                                                   const std::string& item_id,
                                                   const std::string& sha256) {
  auto found = Query(db, item_id, &sha256);
  if (!found) return found.error();
  if (found->empty()) return std::optional<StoredEvidence>();
  return std::optional<StoredEvidence>(found->front());
}

Result<std::string> EvidenceContent(store_soci::Database& db, const std::string& sha256) {
  std::string content;
  try {
    soci::indicator ind = soci::i_null;
    db.session() << "SELECT content FROM evidence_blobs WHERE sha256 = :h", soci::use(sha256),
        soci::into(content, ind);
    if (!db.session().got_data() || ind != soci::i_ok) {
      return Error::NotFound("no stored evidence " + sha256);
    }
  } catch (const std::exception& e) {
    return db.MapError(e, "read evidence " + sha256);
  }
  return FromBase64(content);
}

}  // namespace rectify::api
