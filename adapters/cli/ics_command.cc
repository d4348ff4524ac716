// rectify ics --person ID | --unit ID [--out FILE] [--at ISO]: an iCalendar (RFC 5545) feed of
// open deadlines, for a cadre to subscribe to from a phone calendar (adapters/ics/ics_feed.h).
//
//   $ rectify ics --person xs-0014 --out feeds/xs-0014.ics
//   $ rectify ics --unit niangxi > niangxi.ics
//
// DTSTAMP (and the instant a paused clock is measured to) is now, or --at. With --out the file is
// written whole to FILE.tmp and renamed over FILE, so a web server never serves half a feed.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "adapters/cli/cli.h"
#include "adapters/cli/engine_access.h"
#include "adapters/ics/ics_feed.h"

namespace rectify::cli {

namespace {

struct IcsArgs {
  std::string person, unit, out, at;
  DefinitionSources definitions;
};

Status WriteAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f)
      return Error::BadInput("cannot write " + tmp + "; check the folder exists and is writable");
    f << text;
    f.flush();
    if (!f) return Error::Unavailable("writing " + tmp + " failed (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return Error::BadInput("cannot replace " + path + ": " + ec.message());
  }
  return OkStatus();
}

void RunIcs(Context& ctx, const IcsArgs& a) {
  if (a.person.empty() == a.unit.empty()) {
    return ctx.UsageError("give --person ID or --unit ID (one of them)");
  }
  auto session = OpenEngine(ctx, a.definitions, a.at, Access::kReadOnly);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  for (Status st : {s.RequirePerson(ctx, a.person), s.RequireUnit(ctx, a.unit)}) {
    if (!st) return ctx.Fail(st.error());
  }
  ics::FeedQuery q;
  if (!a.person.empty()) q.person = a.person;
  if (!a.unit.empty()) q.unit = a.unit;
  q.stamp = s.clock->Now();
  auto feed = ics::WriteFeed(*s.store, *s.definitions, q);
  if (!feed) return ctx.Fail(feed.error());
  if (a.out.empty()) {
    ctx.out << *feed;
    return;
  }
  if (Status st = WriteAtomically(a.out, *feed); !st) return ctx.Fail(st.error());
}

}  // namespace

void RegisterIcs(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<IcsArgs>();
  auto* cmd = app.add_subcommand(
      "ics", "Write an iCalendar (RFC 5545) feed of a person's or a unit's open deadlines");
  cmd->add_option("--person", a->person, "The deadlines this person owns");
  cmd->add_option("--unit", a->unit, "The deadlines of this unit's items and the units under it");
  cmd->add_option("--out", a->out, "Write the feed to this file (default: standard output)");
  AddEngineOptions(cmd, a->definitions, a->at);
  cmd->callback([&ctx, a] { RunIcs(ctx, *a); });
}

}  // namespace rectify::cli
