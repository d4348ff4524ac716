// A long-running child process a test starts, watches and kills: `rectify serve` under load in
// the crash, multi-node and outage tests, and the HTTP tests of serve.
//
//   ChildProcess node = ChildProcess::StartRectify({"--db", url, "serve", "--listen",
//                                                   "127.0.0.1:0"});
//   std::string line = node.WaitForLine("listening on", std::chrono::seconds(20));
//   node.Kill(SIGKILL);
//   int status = node.Wait();     // 128 + 9
//
// Freeze() stops the child (SIGSTOP) and returns once the kernel reports it stopped, so whatever
// the test then reads from the database is what the frozen child left; Thaw() lets it go on
// (SIGCONT). The fencing and takeover tests freeze a node while it holds leases.
//
// Standard output is read by a background thread into a buffer the test can search; standard
// error goes to the test's own (so a failing node's complaint shows in the test log). The
// destructor kills (SIGKILL) and reaps a child still running. Thread-safety: one test thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rectify::test {

class ChildProcess {
 public:
  static ChildProcess Start(const std::vector<std::string>& argv,
                            const std::map<std::string, std::string>& env = {});
  // Start with the built `rectify` binary (RECTIFY_BINARY) as argv[0].
  static ChildProcess StartRectify(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env = {});

  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) noexcept;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  bool running();
  void Kill(int signal = SIGKILL);
  // SIGSTOP, then waits (up to 5 s) until the child is stopped; false when it is not running or
  // did not stop.
  bool Freeze();
  void Thaw();  // SIGCONT
  // Waits for the child to end; its exit code, or 128 + N when killed by signal N.
  int Wait();
  // Waits until a line of output contains `text` and returns it; "" on time-out or when the
  // child ended first.
  std::string WaitForLine(const std::string& text, std::chrono::milliseconds limit);
  std::string output() const;

 private:
  ChildProcess() = default;
  struct Pipe;
  pid_t pid_ = -1;
  int status_ = -1;
  std::shared_ptr<Pipe> pipe_;
  std::thread reader_;
};

}  // namespace rectify::test
