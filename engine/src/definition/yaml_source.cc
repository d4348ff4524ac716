#include "rectify/definition/yaml_source.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace rectify::definition {
namespace {

// Thrown by the pre-scan to stop the parser at the first limit it passes.
struct LimitExceeded {
  YAML::Mark mark;
  std::string message;
  std::string hint;
};

// Counts what a walk over the tree would visit, expanding every alias (see the header).
class ExpansionCounter final : public YAML::EventHandler {
 public:
  explicit ExpansionCounter(const YamlLimits& limits) : limits_(limits) {}

  void OnDocumentStart(const YAML::Mark&) override {
    anchors_.clear();
    stack_.clear();
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { Leaf(mark, anchor); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    Leaf(mark, anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) return;  // yaml-cpp reports unknown aliases itself
    Count(mark, it->second.size);
    int depth = static_cast<int>(stack_.size()) + it->second.height;
    if (depth > limits_.max_depth) {
      throw LimitExceeded{mark,
                          "an alias here nests the document deeper than " +
                              std::to_string(limits_.max_depth) + " levels",
                          "write the repeated part out instead of aliasing it inside itself"};
    }
    ChildHeight(it->second.height);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Expansion {
    std::size_t size = 1;  // nodes, aliases expanded
    int height = 0;        // levels of containers below and including this node
  };
  struct Frame {
    YAML::anchor_t anchor;
    std::size_t start;
    int child_height = 0;
  };

  void Count(const YAML::Mark& mark, std::size_t n) {
    total_ += n;
    if (total_ > limits_.max_nodes) {
      throw LimitExceeded{
          mark,
          "the document expands to more than " + std::to_string(limits_.max_nodes) +
              " nodes once its aliases are followed (an alias bomb?)",
          "use fewer or smaller aliases; a definition needs no more than a few thousand nodes"};
    }
  }

  void Leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    Count(mark, 1);
    if (anchor != YAML::NullAnchor) anchors_[anchor] = Expansion{1, 0};
  }

  void Open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    Count(mark, 1);
    stack_.push_back(Frame{anchor, total_ - 1});
    if (static_cast<int>(stack_.size()) > limits_.max_depth) {
      throw LimitExceeded{
          mark, "the document nests deeper than " + std::to_string(limits_.max_depth) + " levels",
          "definitions need only a few levels of nesting; flatten the structure"};
    }
  }

  void Close() {
    if (stack_.empty()) return;
    Frame f = stack_.back();
    stack_.pop_back();
    Expansion e{total_ - f.start, f.child_height + 1};
    if (f.anchor != YAML::NullAnchor) anchors_[f.anchor] = e;
    ChildHeight(e.height);
  }

  void ChildHeight(int h) {
    if (!stack_.empty()) stack_.back().child_height = std::max(stack_.back().child_height, h);
  }

  const YamlLimits& limits_;
  std::unordered_map<YAML::anchor_t, Expansion> anchors_;
  std::vector<Frame> stack_;
  std::size_t total_ = 0;
};

SourcePos MarkPos(const YAML::Mark& mark, const std::string& file) {
  if (mark.is_null()) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

std::string SyntaxHint(const std::string& msg) {
  if (msg.find("flow") != std::string::npos) {
    return "close every '{' and '[' that is opened, and separate items with ','";
  }
  if (msg.find("map") != std::string::npos || msg.find("key") != std::string::npos) {
    return "check the indentation and that each key is followed by ': '";
  }
  if (msg.find("quote") != std::string::npos || msg.find("end of") != std::string::npos) {
    return "close every quote and bracket that is opened";
  }
  if (msg.find("anchor") != std::string::npos || msg.find("alias") != std::string::npos) {
    return "define an anchor (&name) before aliasing it (*name)";
  }
  return "see docs/yaml-reference.md for the layout of a definition file";
}

// The first line indented with a tab, which YAML does not allow (a tab's width is anyone's guess,
// so a parser cannot tell which mapping the line belongs to): its 1-based line and the tab's
// column, or {0, 0}. Lines inside a block scalar (`|`, `>`) are content, where a tab is text.
std::pair<int, int> FirstIndentingTab(std::string_view text) {
  int line = 0;
  std::size_t block_indent = std::string_view::npos;  // inside a block scalar deeper than this
  for (std::size_t pos = 0; pos <= text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    std::size_t lead = l.find_first_not_of(" \t");
    if (lead == std::string_view::npos || l[lead] == '\r') continue;  // blank
    std::size_t spaces = l.find_first_not_of(' ');
    if (block_indent != std::string_view::npos) {
      if (spaces > block_indent) continue;
      block_indent = std::string_view::npos;
    }
    if (l[lead] == '#') continue;
    if (std::size_t tab = l.find('\t'); tab < lead) return {line, static_cast<int>(tab) + 1};
    // A block scalar's header ends its line: `key: |`, `- >-`, `key: |2`.
    std::string_view body = l.substr(0, l.find_last_not_of(" \r") + 1);
    std::size_t bar = body.find_last_of("|>");
    if (bar != std::string_view::npos && bar > 0 && body[bar - 1] == ' ' &&
        body.find_first_not_of("+-0123456789", bar + 1) == std::string_view::npos) {
      block_indent = lead;
    }
    if (end == text.size()) break;
  }
  return {0, 0};
}

}  // namespace

SourcePos PosOf(const YAML::Node& node, const std::string& file) {
  if (!node.IsDefined()) return {file, 0, 0};
  return MarkPos(node.Mark(), file);
}

std::vector<YamlDocument> ParseYamlText(std::string_view text, const std::string& file,
                                        const YamlLimits& limits, Diagnostics& diags) {
  std::vector<YamlDocument> docs;
  if (text.size() > limits.max_file_bytes) {
    diags.Error({file, 1, 1}, "",
                "the file is " + std::to_string(text.size()) + " bytes, over the limit of " +
                    std::to_string(limits.max_file_bytes) + " bytes",
                "split it into several files; a folder is validated as one set");
    return docs;
  }
  if (auto [line, column] = FirstIndentingTab(text); line > 0) {
    diags.Error({file, line, column}, "",
                "a tab indents this line; YAML allows only spaces for indentation",
                "replace the tabs at the start of the line with spaces (set your editor to "
                "insert spaces for Tab)");
    return docs;
  }
  auto owned_text = std::make_shared<const std::string>(text);
  const std::string& owned = *owned_text;
  try {
    // Pass 1: count expansions without building anything.
    std::istringstream in(owned);
    YAML::Parser parser(in);
    ExpansionCounter counter(limits);
    while (parser.HandleNextDocument(counter)) {
    }
    // Pass 2: build the trees; safe now that their walked size is bounded.
    std::vector<YAML::Node> roots = YAML::LoadAll(owned);
    docs.reserve(roots.size());
    for (std::size_t i = 0; i < roots.size(); ++i) {
      docs.push_back(YamlDocument{file, roots[i], static_cast<int>(i), owned_text});
    }
  } catch (const LimitExceeded& e) {
    diags.Error(MarkPos(e.mark, file), "", e.message, e.hint);
    docs.clear();
  } catch (const YAML::Exception& e) {
    diags.Error(MarkPos(e.mark, file), "", "YAML syntax: " + e.msg, SyntaxHint(e.msg));
    docs.clear();
  } catch (const std::exception& e) {
    diags.Error({file, 0, 0}, "", std::string("the YAML parser failed: ") + e.what(),
                "simplify the file and report this");
    docs.clear();
  }
  return docs;
}

std::vector<YamlDocument> ReadYamlFile(const std::string& path, const YamlLimits& limits,
                                       Diagnostics& diags) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    diags.Error({path, 0, 0}, "", "cannot read the file: " + ec.message(),
                "check the path and its permissions");
    return {};
  }
  if (size > limits.max_file_bytes) {
    diags.Error({path, 1, 1}, "",
                "the file is " + std::to_string(size) + " bytes, over the limit of " +
                    std::to_string(limits.max_file_bytes) + " bytes",
                "split it into several files; a folder is validated as one set");
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.Error({path, 0, 0}, "", "cannot open the file", "check the path and its permissions");
    return {};
  }
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return ParseYamlText(text, path, limits, diags);
}

}  // namespace rectify::definition
