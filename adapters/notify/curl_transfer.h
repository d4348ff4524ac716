// What the libcurl channels share: one global initialisation, owned easy handles and header
// lists, and the transfer errors that are worth another attempt.
//
// Internal to adapters/notify. Thread-safety: GlobalInit may be called from any thread; a handle
// is used by one thread at a time.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

namespace rectify::notify::internal {

// curl_global_init, once per process (thread-safe).
void GlobalInit();

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// Appends `line` to `list` (curl_slist_append keeps the head).
void Append(Slist& list, const std::string& line);

// A fresh easy handle with the options every channel wants: no signals, the connect and total
// timeouts, and a debug callback that keeps the peer's last answer (see LastAnswer).
EasyHandle NewHandle();

// Sets the options every attempt wants on `handle` (after curl_easy_reset).
void SetCommonOptions(CURL* handle, int timeout_ms, std::string* peer_lines);

// Whether a transfer failure is transient: the peer could not be reached, did not answer in
// time, or dropped the connection. Protocol answers (SMTP and HTTP codes) are judged by callers.
bool IsTransient(CURLcode code);

// "curl: <code's text>: <the error buffer>".
std::string Describe(CURLcode code, const char* error_buffer);

// One HTTP request's answer: a transfer error (`rc` not CURLE_OK, `error` says it), or the status
// and at most 64 KiB of the body.
struct HttpAnswer {
  CURLcode rc = CURLE_OK;
  std::string error;
  long status = 0;
  std::string body;
};

// POSTs `body` (GET when `get`) to `url` with `headers` on `handle` (reset first, so its connection
// is reused); `handle` is replaced after a transfer error.
HttpAnswer HttpRequest(EasyHandle& handle, const std::string& url, const Slist& headers,
                       const std::string& body, int timeout_ms, bool get = false);

}  // namespace rectify::notify::internal
