// A local server a test starts as a child process (tests/support/smtp_sink.py, http_sink.py) and
// stops when it goes out of scope.
//
//   auto smtp = SinkProcess::Start("smtp_sink.py", {"--dir", dir});
//   ASSERT_TRUE(smtp.ok()) << smtp.error().message();
//   int port = (*smtp)->port();
//
// The scripts run on Debian's own /usr/bin/python3, whose dist-packages hold python3-aiosmtpd
// and python3-icalendar (a pyenv or venv python3 earlier in PATH would not see them). A server
// that cannot start (a module missing) is an error the test fails on, never a skip.
//
// Thread-safety: one thread.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "rectify/result.h"
#include "tests/support/temp_dir.h"

namespace rectify::test {

// Debian's python3, for the test scripts.
inline constexpr const char* kSystemPython = "/usr/bin/python3";

class SinkProcess {
 public:
  // Runs tests/support/<script> with `args` plus --port-file, and waits (up to 20 s) until it
  // listens. kUnavailable, with the script's standard error, when it exits or never listens.
  static Result<std::unique_ptr<SinkProcess>> Start(const std::string& script,
                                                    const std::vector<std::string>& args);
  ~SinkProcess();
  SinkProcess(const SinkProcess&) = delete;
  SinkProcess& operator=(const SinkProcess&) = delete;

  int port() const { return port_; }

 private:
  SinkProcess() = default;

  TempDir dir_;  // the port file and the child's standard error
  pid_t pid_ = -1;
  int port_ = 0;
};

// A loopback port nothing listens on (bound, then closed).
int UnusedPort();

}  // namespace rectify::test
