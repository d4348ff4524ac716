// rectify explain FILE|NAME: prints the definitions in FILE, or those named NAME (`rectify explain
// xinshao`: the org's whole unit tree), as a person reads them (see rectify/definition/explain.h).
// Names resolve against the shipped library ($RECTIFY_HOME/workflows) and --definitions
// (definition_sources.h); a definition that replaces the library's is noted. `--format mermaid`
// draws a workflow's states.
//
//   $ rectify explain workflows/workflows/rectification-item.yaml --start 2017-04-21
//   $ rectify --format mermaid explain workflows/workflows/rectification-item.yaml
#include <filesystem>
#include <optional>
#include <string>

#include "adapters/cli/cli.h"
#include "adapters/cli/definition_sources.h"
#include "rectify/definition/definition_set.h"
#include "rectify/definition/explain.h"

namespace rectify::cli {

namespace {

// The calendar an escalation's example dates are counted on: that of a workflow that runs it,
// else `cn`, else the only calendar loaded.
const Calendar* CalendarFor(const definition::DefinitionSet& set, const std::string& escalation) {
  for (const auto& info : set.All()) {
    if (info.kind != definition::Kind::kWorkflow) continue;
    auto wf = set.FindWorkflow(info.name, info.version);
    for (const auto& s : wf->states()) {
      if (s.overdue && s.overdue->info().name == escalation && wf->calendar()) {
        return wf->calendar().get();
      }
    }
  }
  if (auto cn = set.FindCalendar("cn")) return cn.get();
  return nullptr;
}

}  // namespace

void RegisterExplain(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "explain",
      "Print a definition as a person reads it: a workflow's states, transitions, deadlines, "
      "reminders and escalation ladder with example dates; an escalation's steps; a campaign's "
      "phases, checkpoints and recurring events. With the global --format mermaid, a workflow "
      "as a Mermaid stateDiagram-v2.");
  struct Args {
    std::string file;
    DefinitionSources definitions;
    std::string start;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("file", args->file, "The definition file to explain")->required();
  AddDefinitionOptions(cmd, args->definitions);
  SupportFormats(ctx, cmd, {"mermaid"});
  cmd->add_option("--start", args->start,
                  "The example day items enter each state, or a deadline is missed (default "
                  "2017-04-21)");
  cmd->callback([&ctx, args] {
    definition::ExplainOptions options;
    if (!args->start.empty()) {
      auto d = ParseDate(args->start);
      if (!d) {
        ctx.UsageError("--start: " + d.error().message());
        return;
      }
      options.start = *d;
    }
    // A name that is not a path (`rectify explain xinshao`): the loaded definitions of that name.
    std::error_code exists_ec;
    const bool by_name = !std::filesystem::exists(args->file, exists_ec) &&
                         args->file.find('/') == std::string::npos &&
                         args->file.find(".yaml") == std::string::npos;
    std::vector<std::string> named_files;
    if (!by_name) named_files.push_back(args->file);
    Diagnostics diags;
    auto set = LoadDefinitionSources(ctx, args->definitions, diags, named_files);
    diags.Sort();
    ctx.err << diags.Format();
    if (!set) {
      ctx.Fail(set.error().WithContext("cannot explain " + args->file));
      return;
    }
    std::vector<definition::DefinitionInfo> infos;
    if (by_name) {
      for (const auto& info : (*set)->All()) {
        if (info.name == args->file) infos.push_back(info);
      }
      if (infos.empty()) {
        ctx.Fail(Error::BadInput("no file and no loaded definition named '" + args->file +
                                 "'; give a definition file, or the name of one in the library "
                                 "or in --definitions"));
        return;
      }
    } else {
      infos = (*set)->InFile(args->file);
    }
    if (infos.empty()) {
      // A library file whose definitions a county's file replaced: explain what is in force.
      std::error_code ec;
      for (const auto& r : (*set)->replacements()) {
        if (std::filesystem::equivalent(r.replaced.pos.file, args->file, ec)) {
          ctx.Fail(Error::BadInput(args->file + ": " + r.replaced.Label() + " is replaced by " +
                                   r.by.pos.file + "; explain that file"));
          return;
        }
      }
      ctx.Fail(Error::BadInput(args->file + " holds no definition to explain"));
      return;
    }
    const bool mermaid = ctx.format_name == "mermaid";
    bool first = true;
    for (const auto& info : infos) {
      if (!first) ctx.out << "\n";
      first = false;
      const auto& s = **set;
      using definition::Kind;
      if (mermaid) {
        if (info.kind != Kind::kWorkflow) {
          ctx.Fail(
              Error::BadInput("--format mermaid draws workflows; " + info.Label() + " is not one"));
          return;
        }
        ctx.out << definition::WorkflowMermaid(*s.FindWorkflow(info.name, info.version));
        continue;
      }
      switch (info.kind) {
        case Kind::kWorkflow:
          ctx.out << definition::ExplainWorkflow(*s.FindWorkflow(info.name, info.version), options);
          break;
        case Kind::kEscalation:
          ctx.out << definition::ExplainEscalation(*s.FindEscalation(info.name, info.version),
                                                   CalendarFor(s, info.name), options);
          break;
        case Kind::kCampaign:
          ctx.out << definition::ExplainCampaign(*s.FindCampaign(info.name, info.version), options);
          break;
        case Kind::kOrg:
          ctx.out << definition::ExplainOrg(*s.FindOrg(info.name, info.version));
          break;
        case Kind::kAssessment:
          ctx.out << definition::ExplainAssessment(*s.FindAssessment(info.name, info.version));
          break;
        case Kind::kCalendar: {
          auto cal = s.FindCalendar(info.name, info.version);
          ctx.out << info.Label() << ": time zone " << cal->time_zone_name() << ", covers "
                  << cal->CoveredYears() << ", working hours "
                  << FormatWorkingHours(cal->working_hours()) << "\n";
          break;
        }
        case Kind::kLedger: {
          auto kind = s.FindLedgerKind(info.name, info.version);
          ctx.out << info.Label() << (info.title.empty() ? "" : " (" + info.title + ")")
                  << ": columns";
          for (const auto& c : kind->columns()) {
            ctx.out << " " << c.name << " (" << definition::ColumnTypeName(c.type)
                    << (c.required ? ", required" : "") << ")";
          }
          ctx.out << "\n";
          break;
        }
        case Kind::kComparison: {
          auto c = s.FindComparison(info.name, info.version);
          ctx.out << info.Label() << (info.title.empty() ? "" : " (" + info.title + ")") << ": "
                  << c->parts().left.title << " (" << c->parts().left.ledger.name << ") against "
                  << c->parts().right.title << " (" << c->parts().right.ledger.name << "), rules";
          for (const auto& r : c->rules()) {
            ctx.out << " " << r.name << " (" << definition::CompareCheckName(r.check) << ")";
          }
          ctx.out << "\n";
          break;
        }
        case Kind::kChannels:
          break;
      }
    }
  });
}

}  // namespace rectify::cli
