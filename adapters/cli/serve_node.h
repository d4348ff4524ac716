// `rectify serve` as an engine node: the scheduler (engine/include/rectify/scheduler/) firing
// every instance's timers in the database as they fall due, with several worker threads and
// several nodes sharing one PostgreSQL, /healthz and /metrics over HTTP (--listen), and a clean
// drain on SIGINT/SIGTERM. serve_command.cc chooses it unless scripted cadres (--items) ask for
// the campaign demonstration.
#pragma once

#include <string>

#include "adapters/cli/cli.h"
#include "adapters/cli/definition_sources.h"

namespace rectify::cli {

struct NodeOptions {
  std::string listen;            // HOST:PORT for /healthz and /metrics; empty: no HTTP
  std::string node_id;           // lease owner; default: host name and process id
  int workers = 0;               // 0: 2 on PostgreSQL, 1 on SQLite
  int api_workers = 4;           // the API's threads, each with its own connection (with --listen)
  int api_heavy_workers = 2;     // the same, for reports, exports, audit and feeds
  bool api_group_commit = true;  // the API workers' writes share transactions (group_commit.h)
  double rehearsal_limit = 120;  // seconds a rehearsal (POST /api/v1/rehearsals) may run
  std::int64_t batch = 1000;
  double lease_seconds = 30;
  double speed = 0;               // > 0: an accelerated clock (rehearsals, tests)
  std::string from;               // with speed: where engine time starts
  std::string anchor;             // with speed: the real instant `from` corresponds to (ISO 8601)
  std::string until;              // stop when engine time reaches it
  std::string campaign;           // optional: start it if needed and print its events
  DefinitionSources definitions;  // definition_sources.h
  bool notifications = false;
  // The API's evidence uploads: the largest file and the largest upload request ("20MiB").
  std::string max_upload = "20MiB";
  std::string max_upload_request = "50MiB";
  // The API's public reports: the intake unit and registrar; empty: none taken.
  std::string public_unit;
  std::string public_registrar;
  int public_report_limit = 10;
  // The server's address as the public reaches it (the units' posters point there); empty: no
  // posters.
  std::string public_url;
  std::string tls_cert, tls_key;  // both: serve HTTPS
  std::string auth_header;        // single sign-on: the header naming the person
  std::string trusted_proxies;    // the addresses that may send it (comma-separated, CIDR)
  // The built web pages served at `/` (static_files.h); empty: `web` beside the binary when it is
  // there, else none; "none": none.
  std::string web;
};

void RunNode(Context& ctx, const NodeOptions& options);

}  // namespace rectify::cli
