// The `file` kind: reads `folder`, builds a FileChannel (file_channel.h).
#include "adapters/notify/channels/file/file_plugin.h"

#include "adapters/notify/channels/file/file_channel.h"

namespace rectify::notify::channels::file {

ChannelPlugin Plugin() {
  return {"file",
          [](SettingsReader& r) -> std::shared_ptr<const ChannelSettings> {
            auto s = std::make_shared<Settings>();
            if (auto f = r.String("folder", true)) {
              if (f->empty()) {
                r.Error("folder", "folder is empty",
                        "name the folder that receives one file per message, e.g. var/letters");
              }
              s->folder = *f;
            }
            return s;
          },
          [](const ChannelSpec& spec, const ChannelContext&) -> Result<std::unique_ptr<Channel>> {
            auto s = SettingsOf<Settings>(spec);
            if (!s) return s.error();
            return std::unique_ptr<Channel>(std::make_unique<FileChannel>((*s)->folder));
          }};
}

}  // namespace rectify::notify::channels::file
