#include "tests/support/child_process.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "tests/support/die_with_parent.h"

namespace rectify::test {

struct ChildProcess::Pipe {
  mutable std::mutex mu;
  std::string out;
  bool closed = false;
};

ChildProcess ChildProcess::Start(const std::vector<std::string>& argv,
                                 const std::map<std::string, std::string>& env) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe: " + std::string(strerror(errno)));
  // Made before the fork: the child of a threaded process should not allocate.
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork: " + std::string(strerror(errno)));
  if (pid == 0) {
    DieWithParent(parent);
    dup2(fds[1], STDOUT_FILENO);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  ChildProcess child;
  child.pid_ = pid;
  child.pipe_ = std::make_shared<Pipe>();
  child.reader_ = std::thread([fd = fds[0], pipe = child.pipe_] {
    char buf[4096];
    for (;;) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      std::lock_guard lock(pipe->mu);
      pipe->out.append(buf, static_cast<std::size_t>(n));
    }
    close(fd);
    std::lock_guard lock(pipe->mu);
    pipe->closed = true;
  });
  return child;
}

ChildProcess ChildProcess::StartRectify(const std::vector<std::string>& args,
                                        const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv{RECTIFY_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return Start(argv, env);
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(o.pid_), status_(o.status_), pipe_(std::move(o.pipe_)), reader_(std::move(o.reader_)) {
  o.pid_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    if (pid_ > 0) {
      Kill(SIGKILL);
      Wait();
    }
    if (reader_.joinable()) reader_.join();
    pid_ = o.pid_;
    status_ = o.status_;
    pipe_ = std::move(o.pipe_);
    reader_ = std::move(o.reader_);
    o.pid_ = -1;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && running()) Kill(SIGKILL);
  if (pid_ > 0) Wait();
  if (reader_.joinable()) reader_.join();
}

bool ChildProcess::running() {
  if (pid_ <= 0 || status_ >= 0) return false;
  int st = 0;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == 0) return true;
  status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return false;
}

void ChildProcess::Kill(int signal) {
  if (pid_ > 0 && status_ < 0) ::kill(pid_, signal);
}

namespace {

// The state letter of /proc/PID/stat ('R', 'S', 'T' for stopped, ...); 0 when it cannot be read.
char ProcState(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = stat.rfind(')');  // the command name, in parentheses, may hold spaces
  if (close == std::string::npos || close + 2 >= stat.size()) return 0;
  return stat[close + 2];
}

}  // namespace

bool ChildProcess::Freeze() {
  if (!running()) return false;
  ::kill(pid_, SIGSTOP);
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < end) {
    char state = ProcState(pid_);
    if (state == 'T' || state == 't') return true;
    if (state == 0 || state == 'Z') return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

void ChildProcess::Thaw() {
  if (pid_ > 0 && status_ < 0) ::kill(pid_, SIGCONT);
}

int ChildProcess::Wait() {
  if (pid_ <= 0) return status_;
  if (status_ < 0) {
    int st = 0;
    if (waitpid(pid_, &st, 0) == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
  }
  if (reader_.joinable()) reader_.join();
  return status_;
}

std::string ChildProcess::WaitForLine(const std::string& text, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  for (;;) {
    {
      std::lock_guard lock(pipe_->mu);
      auto at = pipe_->out.find(text);
      if (at != std::string::npos) {
        auto begin = pipe_->out.rfind('\n', at);
        begin = begin == std::string::npos ? 0 : begin + 1;
        auto stop = pipe_->out.find('\n', at);
        return pipe_->out.substr(begin,
                                 stop == std::string::npos ? std::string::npos : stop - begin);
      }
      if (pipe_->closed) return "";
    }
    if (std::chrono::steady_clock::now() > end) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string ChildProcess::output() const {
  std::lock_guard lock(pipe_->mu);
  return pipe_->out;
}

}  // namespace rectify::test
