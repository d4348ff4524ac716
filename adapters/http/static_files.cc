// The built web pages served at `/` (see static_files.h).
#include "adapters/http/static_files.h"

#include <unistd.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace rectify::http {

namespace fs = std::filesystem;

namespace {

// A strong validator for a file's bytes: FNV-1a over the content and its length. Not a security
// measure; it only has to change when the file does.
std::string EtagFor(const std::string& body) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  std::ostringstream out;
  out << '"' << std::hex << h << '-' << body.size() << '"';
  return out.str();
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Does the path look like a file (its last segment has an extension)? Such a path that is not in
// the build is a missing file, not a page.
bool LooksLikeFile(const std::string& path) {
  auto slash = path.rfind('/');
  std::string last = slash == std::string::npos ? path : path.substr(slash + 1);
  return last.find('.') != std::string::npos;
}

Response FileResponse(const StaticFiles::File& f, const Request& req) {
  Response r;
  r.status = 200;
  r.content_type = f.content_type;
  r.headers.emplace_back("ETag", f.etag);
  r.headers.emplace_back("Cache-Control",
                         f.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  std::string match = req.Header("if-none-match");
  if (!match.empty() &&
      (match == f.etag || match == "*" || match.find(f.etag) != std::string::npos)) {
    r.status = 304;
    return r;
  }
  if (req.method != "HEAD") r.body = f.body;
  return r;
}

}  // namespace

std::string ContentTypeFor(const std::string& name) {
  static const std::array<std::pair<const char*, const char*>, 18> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
  }};
  for (const auto& [ext, type] : kTypes) {
    if (EndsWith(name, ext)) return type;
  }
  return "application/octet-stream";
}

Result<std::shared_ptr<const StaticFiles>> StaticFiles::Load(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(dir) / "index.html", ec)) {
    return Error::BadInput("--web " + dir +
                           ": no index.html there; build the pages with 'make build' (they go "
                           "to build/web) or give the folder that holds them");
  }
  auto files = std::make_shared<StaticFiles>();
  files->dir_ = dir;
  fs::path root = fs::path(dir);
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    if (!in) return Error::BadInput("--web " + dir + ": cannot read " + it->path().string());
    std::ostringstream body;
    body << in.rdbuf();
    std::string rel = "/" + fs::relative(it->path(), root, ec).generic_string();
    File f;
    f.content_type = ContentTypeFor(rel);
    f.body = body.str();
    f.etag = EtagFor(f.body);
    // Vite names what it puts under assets/ by a hash of the content: a new content is a new name.
    f.immutable = rel.rfind("/assets/", 0) == 0;
    files->files_.emplace(std::move(rel), std::move(f));
  }
  if (ec) return Error::BadInput("--web " + dir + ": " + ec.message());
  return std::shared_ptr<const StaticFiles>(std::move(files));
}

Response StaticFiles::Serve(const Request& req) const {
  const std::string& path = req.path;
  if (path.rfind("/api/", 0) == 0 || path == "/api") {
    return Response::Error(404, "not_found", "no resource at " + path);
  }
  if (req.method != "GET" && req.method != "HEAD") {
    Response r =
        Response::Error(405, "method_not_allowed",
                        req.method + " is not allowed on " + path + "; allowed: GET, HEAD");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (path.empty() || path[0] != '/' || path.find("..") != std::string::npos ||
      path.find('\\') != std::string::npos || path.find('\0') != std::string::npos) {
    return Response::Error(400, "bad_request", "the path " + path + " is not allowed");
  }
  if (auto it = files_.find(path); it != files_.end()) return FileResponse(it->second, req);
  if (LooksLikeFile(path)) return Response::Error(404, "not_found", "no file at " + path);
  // A page of the browser's router: the shell, which reads the path itself.
  return FileResponse(files_.at("/index.html"), req);
}

std::string DefaultWebDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  for (fs::path candidate :
       {exe.parent_path() / "web", exe.parent_path() / ".." / "share" / "rectify" / "web"}) {
    if (fs::is_regular_file(candidate / "index.html", ec))
      return candidate.lexically_normal().string();
  }
  return "";
}

Handler StaticFilesHandler(std::shared_ptr<const StaticFiles> files) {
  return [files = std::move(files)](const Request& req) { return files->Serve(req); };
}

}  // namespace rectify::http
