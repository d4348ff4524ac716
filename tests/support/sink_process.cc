#include "tests/support/sink_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/die_with_parent.h"

namespace rectify::test {

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace

Result<std::unique_ptr<SinkProcess>> SinkProcess::Start(const std::string& script,
                                                        const std::vector<std::string>& args) {
  std::unique_ptr<SinkProcess> p(new SinkProcess());
  std::string port_file = p->dir_.File("port");
  std::string err_file = p->dir_.File("stderr");
  std::vector<std::string> argv = {kSystemPython,
                                   std::string(RECTIFY_SOURCE_DIR) + "/tests/support/" + script};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.emplace_back("--port-file");
  argv.push_back(port_file);
  // Made before the fork: the child of a threaded process should not allocate.
  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return Error::Unavailable("fork failed");
  if (pid == 0) {
    DieWithParent(parent);
    int fd = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  p->pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string port = ReadFile(port_file);
    if (!port.empty()) {
      p->port_ = std::stoi(port);
      return p;
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      p->pid_ = -1;
      return Error::Unavailable(
          script + " exited before listening (" + kSystemPython +
          "; is its Debian package installed? scripts/setup.sh test): " + ReadFile(err_file));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Error::Unavailable(script + " did not listen within 20 s: " + ReadFile(err_file));
}

SinkProcess::~SinkProcess() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 250; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::string why = strerror(errno);
    if (fd >= 0) close(fd);
    throw std::runtime_error("UnusedPort: no free loopback port: " + why);
  }
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

}  // namespace rectify::test
