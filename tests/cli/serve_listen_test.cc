// `rectify serve --listen` through the real binary: it prints the port it bound, answers
// /healthz and /metrics over loopback while it runs a campaign on an accelerated clock, and stops
// cleanly on SIGINT.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/die_with_parent.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using test::RunRectify;
using ::testing::HasSubstr;

using Clock = std::chrono::steady_clock;

// `rectify ARGS...` running in the background, its standard output read line by line.
class Background {
 public:
  explicit Background(const std::vector<std::string>& args, const std::string& err_file) {
    int out[2];
    EXPECT_EQ(pipe(out), 0);
    pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) {
      test::DieWithParent(parent);
      dup2(out[1], STDOUT_FILENO);
      int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (err >= 0) dup2(err, STDERR_FILENO);
      close(out[0]);
      close(out[1]);
      std::vector<char*> argv{const_cast<char*>(RECTIFY_BINARY)};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    fd_ = out[0];
  }

  ~Background() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      Wait();
    }
    if (fd_ >= 0) close(fd_);
  }

  // Reads until a line matches `pattern` (returning its first group) or `limit` passes ("").
  std::string WaitForLine(const std::regex& pattern, std::chrono::seconds limit) {
    auto deadline = Clock::now() + limit;
    for (;;) {
      std::size_t nl;
      while ((nl = pending_.find('\n')) != std::string::npos) {
        std::string line = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        output_ += line + "\n";
        std::smatch m;
        if (std::regex_search(line, m, pattern)) return m.size() > 1 ? m[1].str() : line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0 || !ReadSome(static_cast<int>(left.count()))) return "";
    }
  }

  // Everything up to the end of its output.
  std::string ReadAll(std::chrono::seconds limit) {
    auto deadline = Clock::now() + limit;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0 || !ReadSome(static_cast<int>(left.count()))) break;
    }
    output_ += pending_;
    pending_.clear();
    return output_;
  }

  void Signal(int sig) { kill(pid_, sig); }

  // The exit code (128+N for signal N).
  int Wait() {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
  }

 private:
  bool ReadSome(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    char buf[4096];
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n <= 0) return false;
    pending_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int fd_ = -1;
  std::string pending_;
  std::string output_;
};

bhttp::response<bhttp::string_body> Get(int port, const std::string& target) {
  net::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                        static_cast<unsigned short>(port)));
  timeval limit{20, 0};
  ::setsockopt(stream.socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  bhttp::request<bhttp::empty_body> req(bhttp::verb::get, target, 11);
  req.set(bhttp::field::host, "127.0.0.1");
  bhttp::write(stream, req);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buffer, res);
  return res;
}

TEST(ServeListenTest, ServesHealthAndMetricsWhileRunningAndStopsOnSigint) {
  test::TempDir dir;
  std::string url = "sqlite:" + dir.File("serve.db");
  ASSERT_EQ(RunRectify({"--db", url, "migrate"}).exit_code, 0);

  Background serve({"--db", url, "serve", "--listen", "127.0.0.1:0", "--campaign", "xinshao-2017",
                    "--speed", "86400", "--from", "2017-04-21", "--until", "2017-12-31"},
                   dir.File("serve.err"));
  std::string port =
      serve.WaitForLine(std::regex(R"(^rectify serve: listening on http://127\.0\.0\.1:([0-9]+)$)"),
                        std::chrono::seconds(60));
  ASSERT_FALSE(port.empty()) << serve.ReadAll(std::chrono::seconds(1));
  ASSERT_NE(port, "0");
  // The node is ready once the engine has started the campaign; until then /healthz says 503.
  bhttp::response<bhttp::string_body> health;
  for (auto until = Clock::now() + std::chrono::seconds(60); Clock::now() < until;) {
    health = Get(std::stoi(port), "/healthz");
    if (health.result_int() == 200) break;
    EXPECT_EQ(health.result_int(), 503);
    EXPECT_THAT(health.body(), HasSubstr(R"("status":"unready")"));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(health.result_int(), 200);
  EXPECT_EQ(health.body(), R"({"status":"ready"})");

  auto metrics = Get(std::stoi(port), "/metrics");
  EXPECT_EQ(metrics.result_int(), 200);
  EXPECT_EQ(metrics[bhttp::field::content_type], "text/plain; version=0.0.4");
  // The scheduler's own series (scheduler.h) come through the node's registry.
  EXPECT_THAT(metrics.body(), HasSubstr("# TYPE rectify_timer_firings_total counter\n"
                                        "rectify_timer_firings_total "));
  EXPECT_THAT(metrics.body(), HasSubstr("# TYPE rectify_scheduler_batches_total counter\n"));
  EXPECT_THAT(metrics.body(), HasSubstr("# TYPE rectify_timer_lateness_seconds histogram\n"));

  auto missing = Get(std::stoi(port), "/api/v2/nothing");
  EXPECT_EQ(missing.result_int(), 404);

  serve.Signal(SIGINT);
  std::string out = serve.ReadAll(std::chrono::seconds(30));
  EXPECT_EQ(serve.Wait(), 0) << out;
  EXPECT_THAT(out, HasSubstr(": stopped; fired "));  // drained, then said what it did
}

TEST(ServeListenTest, BadListenValueIsAUsageError) {
  test::TempDir dir;
  auto r = RunRectify({"--db", "sqlite:" + dir.File("x.db"), "serve", "--listen", "8080",
                       "--campaign", "xinshao-2017"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "rectify: usage error: --listen: '8080' is not HOST:PORT (write HOST:PORT, e.g. "
            "127.0.0.1:8080, or 127.0.0.1:0 for a free port)\n");
}

TEST(ServeListenTest, PortInUseIsAnEnvironmentError) {
  test::TempDir dir;
  std::string url = "sqlite:" + dir.File("serve.db");
  ASSERT_EQ(RunRectify({"--db", url, "migrate"}).exit_code, 0);
  // Hold a port: a listening socket of our own.
  net::io_context io;
  net::ip::tcp::acceptor taken(io, {net::ip::make_address("127.0.0.1"), 0});
  std::string where = "127.0.0.1:" + std::to_string(taken.local_endpoint().port());
  auto r = RunRectify({"--db", url, "serve", "--listen", where, "--campaign", "xinshao-2017",
                       "--speed", "86400", "--from", "2017-04-21", "--until", "2017-04-22"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("rectify: error: --listen: cannot listen on " + where + ": bind: "));
}

// A server a test started goes when the test process dies without cleaning up (an ASan report, a
// crash): left running, it would hold ctest's output pipe open until the test's timeout.
TEST(TestServersTest, DieWithTheTestProcessThatStartedThem) {
  int report[2];
  ASSERT_EQ(pipe(report), 0);
  pid_t test_process = fork();
  ASSERT_GE(test_process, 0);
  if (test_process == 0) {
    test::ChildProcess server = test::ChildProcess::Start({"/bin/sleep", "300"});
    pid_t pid = server.pid();
    if (write(report[1], &pid, sizeof pid) != sizeof pid) _exit(2);
    _exit(1);  // as an aborted test: no destructor runs
  }
  close(report[1]);
  pid_t server = -1;
  ASSERT_EQ(read(report[0], &server, sizeof server), static_cast<ssize_t>(sizeof server));
  close(report[0]);
  int status = 0;
  ASSERT_EQ(waitpid(test_process, &status, 0), test_process);
  ASSERT_GT(server, 0);
  // Gone, or a zombie waiting for init to reap it.
  auto gone = [&] {
    std::ifstream stat("/proc/" + std::to_string(server) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;
    auto close_paren = line.rfind(')');
    return close_paren != std::string::npos && close_paren + 2 < line.size() &&
           line[close_paren + 2] == 'Z';
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!gone() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  bool ended = gone();
  if (!ended) kill(server, SIGKILL);
  EXPECT_TRUE(ended) << "the server " << server << " outlived the test process that started it";
}

}  // namespace
}  // namespace rectify
