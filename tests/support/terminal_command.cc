#include "tests/support/terminal_command.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>

namespace rectify::test {

CommandResult RunRectifyOnTerminal(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env) {
  int out_pipe[2];
  if (pipe(out_pipe) != 0) throw std::runtime_error("pipe failed");
  int master = -1;
  int slave = -1;
  termios raw{};
  cfmakeraw(&raw);
  winsize size{24, 120, 0, 0};
  if (openpty(&master, &slave, nullptr, &raw, &size) != 0) {
    throw std::runtime_error("openpty failed");
  }
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    setsid();
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(slave, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    close(out_pipe[0]);
    close(out_pipe[1]);
    close(master);
    close(slave);
    for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
    std::vector<std::string> argv{RECTIFY_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargs;
    for (auto& a : argv) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    execv(cargs[0], cargs.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(slave);
  CommandResult result;
  // The terminal's master reports EIO once the child (the last holder of the slave) has gone.
  DrainOutputs(out_pipe[0], master, result.out, result.err);
  result.exit_code = WaitExitCode(pid);
  return result;
}

}  // namespace rectify::test
