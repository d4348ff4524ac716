#include "adapters/cli/notify_session.h"

#include <filesystem>

namespace rectify::cli {

void AddNotifyOptions(CLI::App* cmd, NotifyOptions& o) {
  cmd->add_option("--channels", o.channels,
                  "A channels file (kind: channels); default: the loaded one named 'default'");
  cmd->add_option("--templates", o.templates,
                  "Folder of message templates (default: <RECTIFY_HOME>/workflows/templates)");
}

Result<std::unique_ptr<NotifySetup>> LoadNotifySetup(Context& ctx, const NotifyOptions& o,
                                                     std::ostream& log_out, Clock* clock) {
  auto setup = std::make_unique<NotifySetup>();
  std::vector<std::string> files = o.files;
  if (!o.channels.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(o.channels, ec)) {
      return Error::BadInput("--channels: no such file '" + o.channels + "'");
    }
    files.push_back(o.channels);
  }
  auto set = LoadDefinitionSources(ctx, o.definitions, files);
  if (!set) return set.error();
  setup->definitions = *set;
  std::vector<definition::DefinitionInfo> candidates;
  if (!o.channels.empty()) {
    for (const auto& info : (*set)->InFile(o.channels)) {
      if (info.kind == definition::Kind::kChannels) candidates.push_back(info);
    }
    if (candidates.empty()) {
      return Error::BadInput(o.channels +
                             " has no 'kind: channels' document; see "
                             "workflows/channels/default.yaml for one");
    }
  } else {
    for (const auto& info : (*set)->All()) {
      if (info.kind == definition::Kind::kChannels) candidates.push_back(info);
    }
    if (candidates.size() > 1) {
      // The highest version named 'default' (All() is in name, then version order).
      auto named_default =
          std::find_if(candidates.rbegin(), candidates.rend(),
                       [](const definition::DefinitionInfo& i) { return i.name == "default"; });
      if (named_default == candidates.rend()) {
        return Error::BadInput(
            "several channels files are loaded and none is named 'default'; "
            "pass --channels FILE");
      }
      candidates = {*named_default};
    }
    if (candidates.empty()) {
      return Error::BadInput(
          "no channels file is loaded; pass --channels FILE (see "
          "workflows/channels/default.yaml)");
    }
  }
  setup->config = (*set)->FindChannels(candidates.front().name, candidates.front().version);
  if (!setup->config) return Error::Internal("the channels file did not compile");
  if (!setup->config->calendar().empty()) {
    setup->calendar = (*set)->FindCalendar(setup->config->calendar());
  } else {
    std::vector<definition::DefinitionInfo> calendars;
    for (const auto& info : (*set)->All()) {
      if (info.kind == definition::Kind::kCalendar) calendars.push_back(info);
    }
    if (calendars.size() == 1) setup->calendar = (*set)->FindCalendar(calendars.front().name);
  }
  std::string templates = o.templates.empty() ? ctx.Home() + "/workflows/templates" : o.templates;
  auto renderer = notify::Renderer::Load(templates);
  if (!renderer) return renderer.error();
  setup->renderer = std::move(*renderer);
  setup->directory = notify::Directory::FromDefinitions(**set);
  auto channels = notify::MakeChannels(*setup->config, log_out, clock);
  if (!channels) return channels.error();
  setup->channels = std::move(*channels);
  return setup;
}

}  // namespace rectify::cli
