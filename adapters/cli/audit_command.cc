// rectify audit verify: walk every instance's hash-chained audit log and report a changed row
// (its hash does not match), a deleted row (a gap, or fewer rows than the instance recorded),
// with the instance id and sequence number. Exit 0 when intact, 1 when not.
#include "adapters/cli/cli.h"
#include "adapters/store/soci/soci_store.h"
#include "rectify/engine/audit_chain.h"
#include "rectify/engine/instance.h"

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
  InstanceFilter filter;
  for (;;) {
    auto page = (*store)->ListInstances(filter);
    if (!page) return ctx.Fail(page.error());
    for (const InstanceRecord& r : *page) {
      ++instances;
      auto audit = (*store)->AuditOf(r.id);
      if (!audit) return ctx.Fail(audit.error());
      rows += static_cast<std::int64_t>(audit->size());
      auto inst = engine::Instance::FromRecord(r);
      std::int64_t seq = inst ? inst->audit_seq : 0;
      std::string head = inst ? inst->audit_head : "";
      if (!inst) {
        ctx.out << "instance " << r.id << ": " << inst.error().message() << "\n";
        ++problems;
      }
      for (const auto& p : engine::VerifyChain(r.id, *audit, seq, head)) {
        ctx.out << "instance " << p.instance_id << " seq " << p.seq << ": " << p.message << "\n";
        ++problems;
      }
    }
    if (static_cast<std::int64_t>(page->size()) < filter.limit) break;
    filter.after_id = page->back().id;
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
