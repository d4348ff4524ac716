// rectify audit verify: walk every instance's hash-chained audit log and report a changed row
// (its hash does not match), a deleted row (a gap, or fewer rows than the instance recorded),
// with the instance id and sequence number. Exit 0 when intact, 1 when not.
#include "adapters/cli/cli.h"
#include "adapters/store/soci/soci_store.h"
#include "rectify/engine/audit_chain.h"

namespace rectify::cli {

namespace {

void RunVerify(Context& ctx) {
  auto url = store_soci::ParseDatabaseUrl(ctx.DatabaseUrl());
  if (!url) return ctx.Fail(url.error());
  store_soci::OpenOptions options;
  options.create = false;
  auto store = store_soci::OpenStore(*url, options);
  if (!store) return ctx.Fail(store.error());
  std::int64_t instances = 0, rows = 0, problems = 0;
  constexpr std::int64_t kPage = 1000;
  std::string after;
  for (;;) {
    auto page = engine::VerifyInstances(**store, after, kPage);
    if (!page) return ctx.Fail(page.error());
    for (const engine::InstanceAudit& checked : *page) {
      ++instances;
      rows += checked.rows;
      for (const auto& p : checked.problems) {
        ctx.out << "instance " << p.instance_id;
        if (p.seq > 0) ctx.out << " seq " << p.seq;
        ctx.out << ": " << p.message << "\n";
        ++problems;
      }
    }
    if (static_cast<std::int64_t>(page->size()) < kPage) break;
    after = page->back().instance_id;
  }
  if (problems == 0) {
    ctx.out << "audit intact: " << instances << " instances, " << rows << " rows\n";
    return;
  }
  ctx.out << "audit NOT intact: " << problems << " problem" << (problems == 1 ? "" : "s") << " in "
          << instances << " instances, " << rows << " rows\n";
  ctx.exit_code = 1;
}

}  // namespace

void RegisterAudit(CLI::App& app, Context& ctx) {
  auto* audit = app.add_subcommand("audit", "Check the audit log");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand(
      "verify", "Walk every instance's hash chain; report changed and deleted rows (exit 1)");
  verify->callback([&ctx] { RunVerify(ctx); });
}

}  // namespace rectify::cli
