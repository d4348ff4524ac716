// Evidence files of an item:
//   POST /api/v1/items/{id}/evidence            uploads one or more files (multipart/form-data)
//   GET  /api/v1/items/{id}/evidence/{sha256}   downloads one
//
// Who may upload: a caller who may read the item (engine::MayRead) and may send one of its
// events now (engine::CheckActor, the list GET /api/v1/items/{id}/events shows): the responsible
// cadre while the item waits for their submission, the verifier while it is being verified, a
// township head who may ask for more time. Files are stored first and attached to an event after
// (POST .../events/{event} with "evidence": ["sha256:<hex>"]), so a cadre on a bad network sends
// each photo once and the event stays a small request.
//
// Every file is checked before anything is stored: its size (ApiOptions::max_upload, 413), its
// name (CheckFileName, 400), its type by its bytes (SniffType, 415; the declared type is ignored).
// Downloads are for whoever may read the item; anyone else gets the item's own 404.
#include <boost/json.hpp>
#include <cctype>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/evidence_store.h"
#include "adapters/http/api/multipart.h"
#include "rectify/calendar/calendar.h"
#include "rectify/sha256.h"

namespace rectify::api {

namespace json = boost::json;

json::object EvidenceJson(const std::string& item_id, const StoredEvidence& f,
                          const std::function<std::string(Timestamp)>& local) {
  return json::object{{"sha256", f.sha256},
                      {"name", f.name},
                      {"type", f.type},
                      {"size", f.size},
                      {"uploaded_by", f.uploaded_by},
                      {"uploaded_at", local(f.uploaded_at)},
                      {"href", "/api/v1/items/" + item_id + "/evidence/" + f.sha256}};
}

std::optional<http::Response> ReadUploads(Call& call, std::vector<NewEvidence>& out) {
  // The server reads up to the larger of its own cap and this limit; a limit set below the cap
  // still holds.
  if (call.request.body.size() > call.api.options.max_upload_request) {
    return http::Response::Error(413, "payload_too_large",
                                 "the upload is " + std::to_string(call.request.body.size()) +
                                     " bytes, more than the " +
                                     std::to_string(call.api.options.max_upload_request) +
                                     " bytes a request may have; send fewer files at a time");
  }
  auto parts = ParseMultipart(call.request.Header("content-type"), call.request.body);
  if (!parts) {
    if (call.request.Header("content-type").rfind("multipart/form-data", 0) != 0) {
      return http::Response::Error(415, "unsupported_media_type", parts.error().message());
    }
    return ErrorResponse(parts.error());
  }
  std::size_t index = 0;
  for (const auto& part : *parts) {
    if (!part.filename) continue;  // a plain form field: nothing to store
    ++index;
    std::string where = "file " + std::to_string(index);
    auto name = CheckFileName(*part.filename);
    if (!name) return ErrorResponse(name.error().WithContext(where));
    where += " (" + *name + ")";
    if (part.body.size() > call.api.options.max_upload) {
      return http::Response::Error(
          413, "payload_too_large",
          where + ": " + std::to_string(part.body.size()) + " bytes, more than the " +
              std::to_string(call.api.options.max_upload) +
              " bytes a file may have; send a smaller file (or a photo at a lower resolution)");
    }
    if (part.body.empty()) {
      return ErrorResponse(Error::BadInput(where + ": the file is empty"));
    }
    auto type = SniffType(part.body);
    if (!type) {
      return http::Response::Error(415, "unsupported_media_type",
                                   where + ": its content is none of the types accepted (" +
                                       AcceptedTypes() +
                                       "); the name and the declared type do not count");
    }
    out.push_back({*name, *type, part.body});
  }
  if (out.empty()) {
    return ErrorResponse(
        Error::BadInput("no file in the request: send each file as a part with a filename (curl -F "
                        "'file=@photo.jpg')"));
  }
  return std::nullopt;
}

namespace {

std::string LocalTime(const Readable& r, Timestamp t) {
  return r.bound.calendar ? r.bound.calendar->FormatLocal(t) : FormatIso(t);
}

http::Response Upload(Call& call) {
  auto r = FindReadable(call, call.request.params.at("id"));
  if (!r) return ErrorResponse(r.error());
  if (AvailableEvents(call, *r).empty()) {
    return http::Response::Error(
        403, "forbidden",
        "you may send no event on item " + r->inst.record.id +
            " now, so you have no evidence to attach to it (GET /api/v1/items/" +
            r->inst.record.id + "/events lists what you may send)");
  }
  std::vector<NewEvidence> files;
  if (auto refused = ReadUploads(call, files)) return std::move(*refused);
  auto saved = SaveEvidence(*call.db.side, r->inst.record.id, call.caller.person, files, call.now);
  if (!saved) return ErrorResponse(saved.error());
  auto local = [&](Timestamp t) { return LocalTime(*r, t); };
  json::array all;
  for (const auto& f : *saved) all.push_back(EvidenceJson(r->inst.record.id, f, local));
  json::object o;
  o["evidence"] = all.front();
  o["files"] = std::move(all);
  auto response = JsonResponse(201, o);
  response.headers.emplace_back(
      "Location", "/api/v1/items/" + r->inst.record.id + "/evidence/" + saved->front().sha256);
  return response;
}

// `name` for Content-Disposition: an ASCII fallback (other bytes and quotes as '_', with the
// extension of its checked type) and the UTF-8 name percent-encoded (RFC 6266, 5987).
std::string ContentDisposition(const std::string& name, const std::string& type) {
  std::string ascii;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if ((u & 0xC0) == 0x80) continue;  // one '_' for a whole UTF-8 sequence
    ascii += (u < 0x20 || u >= 0x7F || c == '"' || c == '\\' || c == ';' || c == '%') ? '_' : c;
  }
  std::string ext = "." + ExtensionOf(type);
  if (ascii.size() < ext.size() || ascii.compare(ascii.size() - ext.size(), ext.size(), ext) != 0) {
    ascii += ext;
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '.' || c == '-' || c == '_' || c == '~') {
      encoded += c;
    } else {
      encoded += '%';
      encoded += kHex[u >> 4];
      encoded += kHex[u & 0xf];
    }
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

http::Response Download(Call& call) {
  auto r = FindReadable(call, call.request.params.at("id"));
  if (!r) return ErrorResponse(r.error());
  const std::string& hash = call.request.params.at("sha256");
  auto not_found =
      Error::NotFound("item " + r->inst.record.id + " has no evidence file '" + hash +
                      "' (GET /api/v1/items/" + r->inst.record.id + " lists its files)");
  if (!IsSha256Hex(hash)) return ErrorResponse(not_found);
  auto file = FindEvidence(*call.db.side, r->inst.record.id, hash);
  if (!file) return ErrorResponse(file.error());
  if (!*file) return ErrorResponse(not_found);
  return EvidenceDownload(call, **file);
}

}  // namespace

http::Response EvidenceDownload(Call& call, const StoredEvidence& file) {
  std::string etag = "\"" + file.sha256 + "\"";
  if (call.request.Header("if-none-match") == etag) {
    http::Response same = http::Response::Text(304, "");
    same.headers.emplace_back("ETag", etag);
    return same;
  }
  auto content = EvidenceContent(*call.db.side, file.sha256);
  if (!content) return ErrorResponse(content.error());
  http::Response response = http::Response::Text(200, std::move(*content), file.type);
  response.headers.emplace_back("Content-Disposition", ContentDisposition(file.name, file.type));
  response.headers.emplace_back("ETag", etag);
  return response;
}

std::vector<Route> EvidenceRoutes() {
  return {
      {{"POST", "/api/v1/items/{id}/evidence", Access::kSignedIn, true, 0, true}, Upload},
      {{"GET", "/api/v1/items/{id}/evidence/{sha256}", Access::kSignedIn, false}, Download},
  };
}

}  // namespace rectify::api
