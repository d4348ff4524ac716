#include "adapters/notify/channels/file/file_channel.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "adapters/notify/channels/log/log_channel.h"

namespace rectify::notify {

namespace {

std::string Hex8(std::uint32_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(8, '0');
  for (int i = 7; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = kHex[v & 15];
  return s;
}

// Writes `content` to `path` atomically: a temporary file in the same folder, fsync, rename.
std::string WriteAtomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return "cannot create " + tmp + ": " + std::strerror(errno);
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string err = "cannot write " + tmp + ": " + std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return err;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string err = "cannot flush " + tmp + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return err;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = "cannot rename " + tmp + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return err;
  }
  return "";
}

}  // namespace

std::string FileChannel::FileStem(const std::string& dedup_key) {
  std::string stem;
  for (char c : dedup_key) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.';
    stem += safe ? c : '_';
    if (stem.size() >= 120) break;
  }
  std::uint32_t h = 2166136261u;
  for (unsigned char c : dedup_key) {
    h ^= c;
    h *= 16777619u;
  }
  return stem + "-" + Hex8(h);
}

SendResult FileChannel::Send(const Message& message) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(folder_, ec);
  if (ec) return {SendOutcome::kRetry, "cannot create the folder " + folder_ + ": " + ec.message()};
  std::string stem = (fs::path(folder_) / FileStem(message.dedup_key)).string();
  if (!message.html.empty()) {
    if (std::string err = WriteAtomically(stem + ".html", message.html); !err.empty()) {
      return {SendOutcome::kRetry, err};
    }
  }
  // The .json goes last: its presence says the message is complete.
  if (std::string err = WriteAtomically(stem + ".json", MessageJson(message) + "\n");
      !err.empty()) {
    return {SendOutcome::kRetry, err};
  }
  return {SendOutcome::kDelivered, "written to " + stem + ".json"};
}

}  // namespace rectify::notify
