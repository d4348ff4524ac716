#include "adapters/notify/curl_transfer.h"

#include <algorithm>
#include <mutex>

namespace rectify::notify::internal {

namespace {

// Keeps the lines the peer sent (SMTP answers come as CURLINFO_HEADER_IN), bounded.
int OnDebug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN || user == nullptr) return 0;
  auto* lines = static_cast<std::string*>(user);
  constexpr std::size_t kMaxKept = 4096;
  lines->append(data, size);
  if (lines->size() > kMaxKept) lines->erase(0, lines->size() - kMaxKept);
  return 0;
}

}  // namespace

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

void Append(Slist& list, const std::string& line) {
  curl_slist* head = curl_slist_append(list.get(), line.c_str());
  if (head != nullptr) {
    (void)list.release();
    list.reset(head);
  }
}

EasyHandle NewHandle() {
  GlobalInit();
  return EasyHandle(curl_easy_init());
}

void SetCommonOptions(CURL* handle, int timeout_ms, std::string* peer_lines) {
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_ms));
  if (peer_lines != nullptr) {
    curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, OnDebug);
    curl_easy_setopt(handle, CURLOPT_DEBUGDATA, peer_lines);
    curl_easy_setopt(handle, CURLOPT_VERBOSE, 1L);
  }
}

bool IsTransient(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_AGAIN:
      return true;
    default:
      return false;
  }
}

std::string Describe(CURLcode code, const char* error_buffer) {
  std::string out = std::string("curl: ") + curl_easy_strerror(code);
  if (error_buffer != nullptr && error_buffer[0] != '\0') out += std::string(": ") + error_buffer;
  return out;
}

namespace {

constexpr std::size_t kMaxAnswer = 64 * 1024;

size_t KeepAnswer(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  std::size_t n = size * count;
  if (body->size() < kMaxAnswer) body->append(data, std::min(n, kMaxAnswer - body->size()));
  return n;
}

}  // namespace

HttpAnswer HttpRequest(EasyHandle& handle, const std::string& url, const Slist& headers,
                       const std::string& body, int timeout_ms, bool get) {
  HttpAnswer a;
  if (!handle) handle = NewHandle();
  if (!handle) {
    a.rc = CURLE_FAILED_INIT;
    a.error = "curl: could not create a handle";
    return a;
  }
  CURL* h = handle.get();
  curl_easy_reset(h);  // keeps the connection cache
  char error[CURL_ERROR_SIZE] = {};
  SetCommonOptions(h, timeout_ms, nullptr);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  if (!get) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, KeepAnswer);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &a.body);
  a.rc = curl_easy_perform(h);
  if (a.rc != CURLE_OK) {
    a.error = Describe(a.rc, error);
    handle.reset();
    return a;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.status);
  return a;
}

}  // namespace rectify::notify::internal
