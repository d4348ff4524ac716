// The `file` channel: one file per message in a folder, for offices without mail (a clerk prints
// the letters, or another system picks them up).
//
//   FileChannel files("var/letters");
//   files.Send(message);   // var/letters/<key>.json, and <key>.html for a letter
//
// Each file is named from the dedup key (unsafe characters replaced, a short hash added so two keys
// never share a name) and written atomically: to a temporary name in the same folder, flushed to
// disk, then renamed. A repeat of the same message (after a crash) replaces the file with the same
// content, so the folder holds each message once. A missing folder is created; one that cannot be
// written is a transient failure (kRetry), so the message waits until someone fixes it.
//
// Thread-safety: one thread at a time. Ownership: none beyond the folder's name.
#pragma once

#include <string>

#include "adapters/notify/channel.h"

namespace rectify::notify {

class FileChannel final : public Channel {
 public:
  explicit FileChannel(std::string folder) : folder_(std::move(folder)) {}
  std::string kind() const override { return "file"; }
  SendResult Send(const Message& message) override;

  // The file name (without extension) for a dedup key.
  static std::string FileStem(const std::string& dedup_key);

 private:
  std::string folder_;
};

}  // namespace rectify::notify
