#include "adapters/notify/curl_transfer.h"

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

}  // namespace rectify::notify::internal
