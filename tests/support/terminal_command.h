// Runs the real `rectify` binary with its standard error on a pseudo-terminal, as a person at a
// terminal runs it, and its standard output on a pipe (as `rectify ... > file` or `| jq` has it),
// so a test can see what a terminal shows (progress lines that update in place) apart from the
// data a pipe receives.
//
//   CommandResult r = RunRectifyOnTerminal({"ledger", "import", "big.csv", "--as", "xs-0009"});
//   EXPECT_THAT(r.err, HasSubstr("\rchecking big.csv: "));   // what the terminal received
//
// The terminal is raw (no "\n" -> "\r\n"), so `err` holds the bytes the program wrote.
// Thread-safety: none needed; each call is a child process.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tests/support/run_command.h"

namespace rectify::test {

CommandResult RunRectifyOnTerminal(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env = {});

}  // namespace rectify::test
