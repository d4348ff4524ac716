// Loading a set: files -> documents -> headers -> compiled definitions, in dependency order.
#include "rectify/definition/definition_set.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "compile.h"
#include "rectify/calendar/calendar_loader.h"
#include "rectify/definition/canonical.h"

namespace rectify::definition {

using internal::DocContext;
using internal::RawDefinition;

template <typename T>
std::shared_ptr<const T> DefinitionSet::Lookup(const Table<T>& table, std::string_view name,
                                               int version) {
  if (version > 0) {
    auto it = table.find(std::make_pair(std::string(name), version));
    return it == table.end() ? nullptr : it->second;
  }
  // The highest version: the last entry with this name.
  auto it = table.lower_bound(std::make_pair(std::string(name), std::numeric_limits<int>::max()));
  if (it == table.begin()) return nullptr;
  --it;
  return it->first.first == name ? it->second : nullptr;
}

std::shared_ptr<const Calendar> DefinitionSet::FindCalendar(std::string_view name,
                                                            int version) const {
  return Lookup(calendars_, name, version);
}
std::shared_ptr<const Org> DefinitionSet::FindOrg(std::string_view name, int version) const {
  return Lookup(orgs_, name, version);
}
std::shared_ptr<const Workflow> DefinitionSet::FindWorkflow(std::string_view name,
                                                            int version) const {
  return Lookup(workflows_, name, version);
}
std::shared_ptr<const Escalation> DefinitionSet::FindEscalation(std::string_view name,
                                                                int version) const {
  return Lookup(escalations_, name, version);
}
std::shared_ptr<const Campaign> DefinitionSet::FindCampaign(std::string_view name,
                                                            int version) const {
  return Lookup(campaigns_, name, version);
}
std::shared_ptr<const Assessment> DefinitionSet::FindAssessment(std::string_view name,
                                                                int version) const {
  return Lookup(assessments_, name, version);
}
std::shared_ptr<const LedgerKind> DefinitionSet::FindLedgerKind(std::string_view name,
                                                                int version) const {
  return Lookup(ledger_kinds_, name, version);
}

std::shared_ptr<const Comparison> DefinitionSet::FindComparison(std::string_view name,
                                                                int version) const {
  return Lookup(comparisons_, name, version);
}

std::shared_ptr<const notify::ChannelsConfig> DefinitionSet::FindChannels(std::string_view name,
                                                                          int version) const {
  return Lookup(channels_, name, version);
}

std::vector<DefinitionInfo> DefinitionSet::All() const {
  std::vector<DefinitionInfo> out;
  for (const auto& [key, info] : infos_) out.push_back(info);
  return out;
}

namespace {

// `path` as one spelling: absolute, symlinks resolved (as far as it exists).
std::string Canonical(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : p.string();
}

}  // namespace

std::vector<DefinitionInfo> DefinitionSet::InFile(const std::string& file) const {
  std::vector<DefinitionInfo> out;
  const std::string wanted = Canonical(file);
  for (const auto& [key, info] : infos_) {
    if (info.pos.file == file || Canonical(info.pos.file) == wanted) out.push_back(info);
  }
  std::sort(out.begin(), out.end(), [](const DefinitionInfo& a, const DefinitionInfo& b) {
    return a.pos.line < b.pos.line;
  });
  return out;
}

const std::string* DefinitionSet::SourceText(const std::string& file) const {
  auto it = sources_.find(file);
  return it == sources_.end() ? nullptr : it->second.get();
}

const DefinitionInfo* DefinitionSet::FindInfo(Kind kind, std::string_view name, int version) const {
  const DefinitionInfo* best = nullptr;
  for (const auto& [key, info] : infos_) {
    if (std::get<0>(key) != kind || std::get<1>(key) != name) continue;
    if (version > 0 && std::get<2>(key) != version) continue;
    best = &info;
  }
  return best;
}

// Builds a set; the Linker the compilers resolve names through.
class SetBuilder final : public internal::Linker {
 public:
  SetBuilder(Diagnostics& diags, const std::set<std::string>& library_files)
      : diags_(diags), library_files_(library_files) {}

  void AddDocument(const YamlDocument& doc);
  Result<std::shared_ptr<const DefinitionSet>> Build();

  std::optional<Ref> Resolve(DocContext& doc, Kind kind, const YAML::Node& node,
                             const std::string& path) override;
  std::shared_ptr<const Calendar> GetCalendar(const Ref& ref) const override {
    return set_->FindCalendar(ref.name, ref.version);
  }
  std::shared_ptr<const Org> GetOrg(const Ref& ref) const override {
    return set_->FindOrg(ref.name, ref.version);
  }
  std::shared_ptr<const Workflow> GetWorkflow(const Ref& ref) const override {
    return set_->FindWorkflow(ref.name, ref.version);
  }
  std::shared_ptr<const Escalation> GetEscalation(const Ref& ref) const override {
    return set_->FindEscalation(ref.name, ref.version);
  }
  std::shared_ptr<const Assessment> GetAssessment(const Ref& ref) const override {
    return set_->FindAssessment(ref.name, ref.version);
  }
  std::shared_ptr<const Campaign> GetCampaign(const Ref& ref) const override {
    return set_->FindCampaign(ref.name, ref.version);
  }
  std::shared_ptr<const LedgerKind> GetLedgerKind(const Ref& ref) const override {
    return set_->FindLedgerKind(ref.name, ref.version);
  }
  const internal::RoleVocabulary& vocabulary() const override { return vocab_; }

 private:
  void BuildVocabulary();
  template <typename T, typename Fn>
  void CompileKind(Kind kind, DefinitionSet::Table<T>& table, Fn compile);

  bool InLibrary(const std::string& file) const { return library_files_.count(file) > 0; }

  Diagnostics& diags_;
  const std::set<std::string>& library_files_;
  std::vector<RawDefinition> raws_;
  std::map<DefinitionSet::Key, std::size_t> index_;
  std::shared_ptr<DefinitionSet> set_ = std::make_shared<DefinitionSet>();
  internal::RoleVocabulary vocab_;
};

void SetBuilder::AddDocument(const YamlDocument& yd) {
  if (yd.text) set_->sources_.emplace(yd.file, yd.text);
  DocContext doc(yd.file, diags_);
  if (!yd.root.IsDefined() || yd.root.IsNull()) return;  // an empty document: nothing to load
  if (!yd.root.IsMap()) {
    doc.Error(yd.root, "",
              "expected a definition (a mapping with kind: and name:), found " +
                  internal::Describe(yd.root),
              "start the document with 'kind: workflow' and 'name: ...'");
    return;
  }
  // The header only; the kind's compiler reads the whole mapping (and reports its duplicates).
  auto get = [&](std::string_view key) {
    for (const auto& kv : yd.root) {
      if (internal::IsScalar(kv.first) && kv.first.Scalar() == key) return kv.second;
    }
    return YAML::Node(YAML::NodeType::Undefined);
  };
  RawDefinition raw;
  raw.root = yd.root;
  raw.file = yd.file;
  raw.info.pos = doc.Pos(yd.root);
  std::optional<std::string> kind_text, name;
  if (YAML::Node k = get("kind"); k.IsDefined()) {
    kind_text = internal::AsString(doc, k, "kind");
  } else {
    doc.Error(
        yd.root, "", "missing required key 'kind'", "add 'kind: ...', one of: " + [] {
          std::string s;
          for (const auto& kn : KindNames()) s += (s.empty() ? "" : ", ") + kn;
          return s;
        }());
  }
  if (YAML::Node n = get("name"); n.IsDefined()) {
    name = internal::AsString(doc, n, "name");
  } else {
    doc.Error(yd.root, "", "missing required key 'name'", "add 'name: ...'");
  }
  bool ok = kind_text && name;
  if (kind_text) {
    auto kind = ParseKind(*kind_text);
    if (!kind) {
      doc.Error(get("kind"), "kind", "unknown kind '" + *kind_text + "'",
                SuggestHint(*kind_text, KindNames()));
      ok = false;
    } else {
      raw.info.kind = *kind;
    }
  }
  if (name) {
    internal::CheckIdentifier(doc, get("name"), "name", *name, "name");
    raw.info.name = *name;
  }
  if (YAML::Node v = get("version"); v.IsDefined()) {
    auto version = internal::AsInt(doc, v, "version");
    if (version && (*version < 1 || *version > 1000000)) {
      doc.Error(v, "version", "a version is a whole number from 1",
                "start at version: 1 and raise it for each change");
    }
    if (!version || *version < 1 || *version > 1000000)
      ok = false;
    else
      raw.info.version = static_cast<int>(*version);
  }
  if (YAML::Node t = get("title"); t.IsDefined()) {
    raw.info.title = internal::AsString(doc, t, "title").value_or("");
  }
  if (YAML::Node d = get("description"); d.IsDefined()) {
    raw.info.description = internal::AsString(doc, d, "description").value_or("");
  }
  if (!ok) return;
  raw.info.hash = ContentHash(yd.root);
  DefinitionSet::Key key{raw.info.kind, raw.info.name, raw.info.version};
  auto [it, fresh] = index_.emplace(key, raws_.size());
  if (!fresh) {
    RawDefinition& first = raws_[it->second];
    // A county's definition replaces the library's of the same kind, name and version.
    const bool first_library = InLibrary(first.file), this_library = InLibrary(raw.file);
    if (first_library != this_library) {
      RawDefinition& library = first_library ? first : raw;
      RawDefinition& county = first_library ? raw : first;
      set_->replacements_.push_back({library.info, county.info});
      diags_.Note(county.info.pos, "",
                  county.info.Label() + " replaces the library's, in " + library.file);
      if (first_library) first = std::move(raw);
      return;
    }
    doc.Error(get("name"), "name",
              "duplicate " + std::string(KindName(raw.info.kind)) + " '" + raw.info.name +
                  "' version " + std::to_string(raw.info.version),
              "it is first defined at " + first.file + ":" + std::to_string(first.info.pos.line) +
                  "; rename one, or raise its version:");
    return;
  }
  raws_.push_back(std::move(raw));
}

std::optional<Ref> SetBuilder::Resolve(DocContext& doc, Kind kind, const YAML::Node& node,
                                       const std::string& path) {
  auto text = internal::AsString(doc, node, path);
  if (!text) return std::nullopt;
  auto nv = ParseNameVersion(*text);
  std::string kind_name(KindName(kind));
  if (!nv) {
    doc.Error(node, path, "'" + *text + "' is not a " + kind_name + " name",
              "write NAME or NAME@VERSION (rectification-item@2)");
    return std::nullopt;
  }
  std::vector<int> versions;
  std::vector<std::string> names;
  for (const auto& [key, i] : index_) {
    if (std::get<0>(key) != kind) continue;
    if (std::get<1>(key) == nv->name) versions.push_back(std::get<2>(key));
    if (names.empty() || names.back() != std::get<1>(key)) names.push_back(std::get<1>(key));
  }
  if (versions.empty()) {
    doc.Error(node, path, "unknown " + kind_name + " '" + nv->name + "'",
              SuggestHint(nv->name, names,
                          names.empty() ? "no " + kind_name +
                                              " is loaded; validate the folder "
                                              "that defines it together with this file"
                                        : ""));
    return std::nullopt;
  }
  int version = nv->version;
  if (version == 0) {
    version = *std::max_element(versions.begin(), versions.end());
  } else if (std::find(versions.begin(), versions.end(), version) == versions.end()) {
    std::string loaded;
    for (int v : versions) loaded += (loaded.empty() ? "" : ", ") + std::to_string(v);
    doc.Error(node, path,
              kind_name + " '" + nv->name + "' has no version " + std::to_string(version),
              "loaded versions: " + loaded);
    return std::nullopt;
  }
  return Ref{kind, nv->name, version};
}

void SetBuilder::BuildVocabulary() {
  std::set<std::string> roles, kinds, units, people, fields;
  for (const auto& [key, org] : set_->orgs_) {
    vocab_.have_org = true;
    roles.insert(org->roles().begin(), org->roles().end());
    kinds.insert(org->allowed_kinds().begin(), org->allowed_kinds().end());
    for (const auto& u : org->units()) units.insert(u.id);
    for (const auto& p : org->people()) people.insert(p.id);
  }
  for (const auto& raw : raws_) {
    if (raw.info.kind != Kind::kWorkflow || !internal::IsMap(raw.root)) continue;
    for (const auto& kv : raw.root) {
      if (!internal::IsScalar(kv.first) || kv.first.Scalar() != "fields" ||
          !internal::IsMap(kv.second)) {
        continue;
      }
      for (const auto& f : kv.second) {
        YAML::Node type = f.second;
        if (internal::IsMap(type)) {
          for (const auto& e : f.second) {
            if (internal::IsScalar(e.first) && e.first.Scalar() == "type") type.reset(e.second);
          }
        }
        if (internal::IsScalar(type) && internal::IsScalar(f.first) &&
            (type.Scalar() == "person" || type.Scalar() == "people")) {
          fields.insert(f.first.Scalar());
        }
      }
    }
  }
  vocab_.roles.assign(roles.begin(), roles.end());
  vocab_.unit_kinds.assign(kinds.begin(), kinds.end());
  if (kinds.empty()) vocab_.unit_kinds.assign(std::begin(kUnitKinds), std::end(kUnitKinds));
  vocab_.unit_ids.assign(units.begin(), units.end());
  vocab_.person_ids.assign(people.begin(), people.end());
  vocab_.person_fields.assign(fields.begin(), fields.end());
}

template <typename T, typename Fn>
void SetBuilder::CompileKind(Kind kind, DefinitionSet::Table<T>& table, Fn compile) {
  for (const auto& raw : raws_) {
    if (raw.info.kind != kind) continue;
    DocContext doc(raw.file, diags_);
    std::shared_ptr<const T> compiled = compile(doc, raw);
    if (!compiled) continue;
    table.emplace(std::make_pair(raw.info.name, raw.info.version), std::move(compiled));
    set_->infos_.emplace(DefinitionSet::Key{kind, raw.info.name, raw.info.version}, raw.info);
  }
}

Result<std::shared_ptr<const DefinitionSet>> SetBuilder::Build() {
  CompileKind(Kind::kCalendar, set_->calendars_,
              [&](DocContext&, const RawDefinition& raw) -> std::shared_ptr<const Calendar> {
                Result<Calendar> cal = LoadCalendar(raw.root, raw.file, diags_);
                if (!cal) return nullptr;
                return std::make_shared<const Calendar>(std::move(*cal));
              });
  CompileKind(Kind::kOrg, set_->orgs_, [](DocContext& doc, const RawDefinition& raw) {
    return internal::CompileOrg(doc, raw);
  });
  BuildVocabulary();
  CompileKind(Kind::kAssessment, set_->assessments_,
              [this](DocContext& doc, const RawDefinition& raw) {
                return internal::CompileAssessment(doc, raw, *this);
              });
  CompileKind(Kind::kEscalation, set_->escalations_,
              [this](DocContext& doc, const RawDefinition& raw) {
                return internal::CompileEscalation(doc, raw, *this);
              });
  CompileKind(Kind::kWorkflow, set_->workflows_, [this](DocContext& doc, const RawDefinition& raw) {
    return internal::CompileWorkflow(doc, raw, *this);
  });
  CompileKind(Kind::kCampaign, set_->campaigns_, [this](DocContext& doc, const RawDefinition& raw) {
    return internal::CompileCampaign(doc, raw, *this);
  });
  CompileKind(Kind::kLedger, set_->ledger_kinds_,
              [this](DocContext& doc, const RawDefinition& raw) {
                return internal::CompileLedgerKind(doc, raw, *this);
              });
  CompileKind(Kind::kComparison, set_->comparisons_,
              [this](DocContext& doc, const RawDefinition& raw) {
                return internal::CompileComparison(doc, raw, *this);
              });
  CompileKind(Kind::kChannels, set_->channels_, [this](DocContext& doc, const RawDefinition& raw) {
    return internal::CompileChannels(doc, raw, *this);
  });
  if (diags_.has_errors()) {
    std::size_t n = diags_.error_count();
    return Error::BadInput(std::to_string(n) + (n == 1 ? " error" : " errors") +
                           " in the definitions");
  }
  return std::shared_ptr<const DefinitionSet>(set_);
}

std::vector<std::string> CollectDefinitionFiles(const std::vector<std::string>& paths,
                                                Diagnostics& diags) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  std::set<std::string> seen;
  auto add = [&](const fs::path& p, const std::string& shown) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(p, ec);
    if (seen.insert(ec ? shown : canonical.string()).second) files.push_back(shown);
  };
  for (const auto& path : paths) {
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
      diags.Error({path, 0, 0}, "", "no such file or folder", "check the path");
      continue;
    }
    if (!fs::is_directory(st)) {
      add(path, path);
      continue;
    }
    // Symlinked folders are followed (a county's folder may link to shared ones); each real
    // folder is walked once, so a link back up does not loop.
    std::vector<std::string> found;
    std::set<fs::path> walked{fs::weakly_canonical(path, ec)};
    for (fs::recursive_directory_iterator it(path,
                                             fs::directory_options::skip_permission_denied |
                                                 fs::directory_options::follow_directory_symlink,
                                             ec),
         end;
         it != end; it.increment(ec)) {
      if (ec) break;
      const fs::path& p = it->path();
      std::error_code entry_ec;
      const bool is_dir = it->is_directory(entry_ec);
      if (p.filename().string().rfind('.', 0) == 0) {
        if (is_dir) it.disable_recursion_pending();
        continue;
      }
      if (is_dir) {
        if (!walked.insert(fs::weakly_canonical(p, entry_ec)).second) {
          it.disable_recursion_pending();
        }
        continue;
      }
      std::string ext = p.extension().string();
      if (ext != ".yaml" && ext != ".yml") continue;
      if (it->is_regular_file(entry_ec)) {
        found.push_back(p.string());
      } else if (it->is_symlink(entry_ec)) {
        diags.Error({p.string(), 0, 0}, "", "a symlink to nothing",
                    "point it at a definition file, or remove it");
      }
    }
    if (found.empty()) {
      diags.Error({path, 0, 0}, "",
                  "no definition file in this folder (a definition file is a *.yaml or *.yml "
                  "file with 'kind:' and 'name:', e.g. an org, a workflow or a campaign)",
                  "check the path, or put the county's definition files in it");
      continue;
    }
    std::sort(found.begin(), found.end());
    for (const auto& f : found) add(f, f);
  }
  return files;
}

Result<std::shared_ptr<const DefinitionSet>> CompileDocuments(
    const std::vector<YamlDocument>& documents, Diagnostics& diags,
    const std::set<std::string>& library_files) {
  SetBuilder builder(diags, library_files);
  for (const auto& d : documents) builder.AddDocument(d);
  return builder.Build();
}

Result<std::shared_ptr<const DefinitionSet>> LoadDefinitions(const std::vector<std::string>& paths,
                                                             Diagnostics& diags,
                                                             const LoadOptions& options) {
  // The named paths first, so that a library file also named keeps the name it was given.
  std::vector<std::string> all = paths;
  all.insert(all.end(), options.library.begin(), options.library.end());
  std::set<std::string> library_canonical;
  if (!options.library.empty()) {
    Diagnostics ignored;  // reported once, below
    for (const auto& f : CollectDefinitionFiles(options.library, ignored)) {
      library_canonical.insert(Canonical(f));
    }
  }
  std::vector<YamlDocument> docs;
  std::set<std::string> library_files;
  for (const auto& file : CollectDefinitionFiles(all, diags)) {
    if (library_canonical.count(Canonical(file))) library_files.insert(file);
    auto file_docs = ReadYamlFile(file, options.limits, diags);
    docs.insert(docs.end(), std::make_move_iterator(file_docs.begin()),
                std::make_move_iterator(file_docs.end()));
  }
  docs.insert(docs.end(), options.documents.begin(), options.documents.end());
  return CompileDocuments(docs, diags, library_files);
}

}  // namespace rectify::definition
