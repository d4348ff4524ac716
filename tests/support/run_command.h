// Runs the real `rectify` binary (or any command) as a user would, and captures what they see.
//
//   CommandResult r = RunRectify({"--db", url, "migrate"});
//   EXPECT_EQ(r.exit_code, 0);
//   EXPECT_THAT(r.out, HasSubstr("applied"));
//
// Arguments are passed without a shell. `env` adds or overrides environment variables for the
// child only. Thread-safety: none needed; each call is a child process.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace rectify::testing {

struct CommandResult {
  int exit_code = -1;  // the child's exit status; 128+N when killed by signal N
  std::string out;
  std::string err;
};

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {},
                         const std::string& cwd = {});

// RunCommand with the built `rectify` binary (RECTIFY_BINARY) as argv[0].
CommandResult RunRectify(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {},
                         const std::string& cwd = {});

}  // namespace rectify::testing
