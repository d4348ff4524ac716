// A set of definitions loaded together, and the one way to load them.
//
// Definition files refer to each other by name (`calendar: cn`, `overdue: overdue-rectification`,
// `org: xinshao`), so they are loaded, validated and compiled as one set: a folder is one set,
// and several paths given together are one set. Loading reports every problem in every file to
// a `Diagnostics` (never just the first) and yields the set only when there is no error;
// warnings are allowed.
//
//   Diagnostics diags;
//   Result<std::shared_ptr<const DefinitionSet>> set = LoadDefinitions({"workflows"}, diags);
//   if (!set) { std::cerr << diags.Format(); return; }
//   std::shared_ptr<const Workflow> wf = (*set)->FindWorkflow("rectification-item");
//
// The shipped library and a county's own folders: paths given as `LoadOptions::library` are the
// library. A definition outside them with the same kind, name and version as one in the library
// replaces the library's (a county's copy of channels/default.yaml, edited); the set lists each
// replacement and `diags` gets a note for it. Two definitions of the same kind, name and version
// both outside the library, or both inside it, are a duplicate (an error).
//
// Name resolution: `Find*(name)` gives the highest version loaded, `Find*(name, v)` exactly
// version v. Names are unique per kind and version: the same name may be a workflow and an
// escalation, and versions 1 and 2 of a workflow may be loaded side by side.
//
// Thread-safety: a DefinitionSet is immutable once built; share it (shared_ptr<const>) between
// threads. Everything it hands out is shared_ptr<const T> and stays valid as long as any holder
// keeps it, independently of the set. Loading itself is single-threaded and touches only the
// files named.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "rectify/calendar/calendar.h"
#include "rectify/definition/assessment.h"
#include "rectify/definition/campaign.h"
#include "rectify/definition/common.h"
#include "rectify/definition/comparison.h"
#include "rectify/definition/escalation.h"
#include "rectify/definition/ledger_kind.h"
#include "rectify/definition/org.h"
#include "rectify/definition/workflow.h"
#include "rectify/definition/yaml_source.h"
#include "rectify/diagnostics.h"
#include "rectify/result.h"

// The channels files' compiled form lives with the notifications (rectify/notify/
// channels_config.h), which depend on definitions; declared here only, so that the definition
// module does not include notify in turn.
namespace rectify::notify {
class ChannelsConfig;
}  // namespace rectify::notify

namespace rectify::definition {

class DefinitionSet {
 public:
  std::shared_ptr<const Calendar> FindCalendar(std::string_view name, int version = 0) const;
  std::shared_ptr<const Org> FindOrg(std::string_view name, int version = 0) const;
  std::shared_ptr<const Workflow> FindWorkflow(std::string_view name, int version = 0) const;
  std::shared_ptr<const Escalation> FindEscalation(std::string_view name, int version = 0) const;
  std::shared_ptr<const Campaign> FindCampaign(std::string_view name, int version = 0) const;
  std::shared_ptr<const Assessment> FindAssessment(std::string_view name, int version = 0) const;
  // `kind: ledger` files: typed ledgers' columns (ledger_kind.h).
  std::shared_ptr<const LedgerKind> FindLedgerKind(std::string_view name, int version = 0) const;
  // `kind: comparison` files: data comparisons (comparison.h).
  std::shared_ptr<const Comparison> FindComparison(std::string_view name, int version = 0) const;
  // `kind: channels` files (notify/channels_config.h).
  std::shared_ptr<const notify::ChannelsConfig> FindChannels(std::string_view name,
                                                             int version = 0) const;

  // Every definition loaded, by kind, name and version.
  std::vector<DefinitionInfo> All() const;
  // The definitions that came from `file` (as it was named when loading), in document order.
  // The file matches however it is spelled (relative to the working directory or absolute,
  // through a symlink or not).
  std::vector<DefinitionInfo> InFile(const std::string& file) const;
  const DefinitionInfo* FindInfo(Kind kind, std::string_view name, int version = 0) const;
  // The text of `file` (as it was named when loading: DefinitionInfo::pos.file) as the set read
  // and compiled it, byte for byte; null for a file the set did not load from text.
  const std::string* SourceText(const std::string& file) const;
  std::size_t size() const { return infos_.size(); }

  // A library definition that one from elsewhere replaced.
  struct Replacement {
    DefinitionInfo replaced;  // the library's
    DefinitionInfo by;        // the one in force
  };
  const std::vector<Replacement>& replacements() const { return replacements_; }

 private:
  friend class SetBuilder;
  using Key = std::tuple<Kind, std::string, int>;

  template <typename T>
  using Table = std::map<std::pair<std::string, int>, std::shared_ptr<const T>, std::less<>>;
  template <typename T>
  static std::shared_ptr<const T> Lookup(const Table<T>& table, std::string_view name, int version);

  std::map<Key, DefinitionInfo> infos_;
  std::map<std::string, std::shared_ptr<const std::string>> sources_;  // by file name
  std::vector<Replacement> replacements_;
  Table<Calendar> calendars_;
  Table<Org> orgs_;
  Table<Workflow> workflows_;
  Table<Escalation> escalations_;
  Table<Campaign> campaigns_;
  Table<Assessment> assessments_;
  Table<LedgerKind> ledger_kinds_;
  Table<Comparison> comparisons_;
  Table<notify::ChannelsConfig> channels_;
};

struct LoadOptions {
  YamlLimits limits;
  // The shipped library's folders, loaded with `paths`; definitions under `paths` may replace
  // theirs (see above). A file both in `paths` and under `library` is a library file.
  std::vector<std::string> library;
  // Documents already read (an upload to the API, ParseYamlText), loaded with the files as a
  // county's own: they are checked together with them, so their names resolve.
  std::vector<YamlDocument> documents;
};

// Expands `paths` into the definition files they name: a file as it is, a folder recursively
// (every *.yaml and *.yml, sorted), following symlinks to files and to folders. A path that does
// not exist, a folder without a definition file and a symlink that leads nowhere are errors in
// `diags`. A file reached twice (by two paths, or through a symlink) is listed once, as first
// named.
std::vector<std::string> CollectDefinitionFiles(const std::vector<std::string>& paths,
                                                Diagnostics& diags);

// Loads, validates and compiles every definition file under `paths` as one set.
Result<std::shared_ptr<const DefinitionSet>> LoadDefinitions(const std::vector<std::string>& paths,
                                                             Diagnostics& diags,
                                                             const LoadOptions& options = {});

// The same over documents already parsed (tests, the fuzzer, files from elsewhere).
// `library_files`: the documents' files that are the library's (see above).
Result<std::shared_ptr<const DefinitionSet>> CompileDocuments(
    const std::vector<YamlDocument>& documents, Diagnostics& diags,
    const std::set<std::string>& library_files = {});

}  // namespace rectify::definition
