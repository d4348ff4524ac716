// The built web pages (web/, built by Vite into build/web/) served by `rectify serve` at `/`.
//
//   auto files = http::StaticFiles::Load("build/web");   // reads every file once, into memory
//   if (!files) return files.error();                    // kBadInput: no index.html there
//   server.Fallback(http::StaticFilesHandler(*files));   // paths no API route answers
//
// What a browser gets:
//   - a file of the build by its path, with its content type; Vite's hashed files under
//     /assets/ are cached for a year (`public, max-age=31536000, immutable`), everything else
//     (index.html above all) is `no-cache`, so a new build is picked up at once;
//   - an ETag on every file, and 304 for a matching If-None-Match;
//   - for any other path that is not the API's (/api/...) nor looks like a file (a last segment
//     with a dot), index.html: the pages route in the browser (history mode), so /items/7 is a
//     page, not a 404;
//   - 404 JSON for a missing file or an unknown /api/ path, 405 for a method other than GET and
//     HEAD, 400 for a path with `..`, a backslash or a NUL (never a file outside the folder: only
//     the files read at load are served at all).
// The files are read once at start: a rebuilt web/ is served after a restart. The build is a few
// megabytes, so holding it in memory costs little and no request waits on the disk.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "adapters/http/http_server.h"
#include "rectify/result.h"

namespace rectify::http {

class StaticFiles {
 public:
  struct File {
    std::string content_type;
    std::string body;
    std::string etag;  // quoted
    bool immutable = false;
  };

  // Every regular file under `dir` (symbolic links are not followed). kBadInput naming the folder
  // when it is missing or has no index.html.
  static Result<std::shared_ptr<const StaticFiles>> Load(const std::string& dir);

  // The answer to a GET or HEAD of `req.path` (any other method gets 405).
  Response Serve(const Request& req) const;

  std::size_t count() const { return files_.size(); }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::map<std::string, File> files_;  // by path from the folder, "/assets/index-1a2b.js"
};

// The content type for a file name by its extension; application/octet-stream when unknown.
std::string ContentTypeFor(const std::string& name);

// The built pages' folder when --web is not given: `web` beside the running binary
// (build/rectify -> build/web), then `../share/rectify/web` (an installed layout). Empty when
// neither has an index.html.
std::string DefaultWebDir();

// A handler for HttpServer::Fallback serving `files`.
Handler StaticFilesHandler(std::shared_ptr<const StaticFiles> files);

}  // namespace rectify::http
