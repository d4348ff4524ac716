// Runs the real `rectify` binary (or any command) as a user would, and captures what they see.
//
//   CommandResult r = RunRectify({"--db", url, "migrate"});
//   EXPECT_EQ(r.exit_code, 0);
//   EXPECT_THAT(r.out, HasSubstr("applied"));
//
// Arguments are passed without a shell. `env` adds or overrides environment variables for the
// child only; `input` is what the child reads on standard input (at most 64 KiB; empty: nothing,
// as from /dev/null). Thread-safety: none needed; each call is a child process.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace rectify::test {

struct CommandResult {
  int exit_code = -1;  // the child's exit status; 128+N when killed by signal N
  std::string out;
  std::string err;
};

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {},
                         const std::string& cwd = {}, const std::string& input = {});

// The pieces RunCommand is made of, for runners of their own (terminal_command.h):
// reads `out_fd` and `err_fd` until both close, without deadlocking on a full pipe, closing each;
// then waits for `pid` and gives its exit code (128+N when killed by signal N).
void DrainOutputs(int out_fd, int err_fd, std::string& out, std::string& err);
int WaitExitCode(pid_t pid);

// RunCommand with the built `rectify` binary (RECTIFY_BINARY) as argv[0].
CommandResult RunRectify(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {},
                         const std::string& cwd = {}, const std::string& input = {});

}  // namespace rectify::test
