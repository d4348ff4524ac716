// For a child process a test starts (fork, then exec): it dies with the test. A test process that
// aborts (an ASan report, a crash) runs no destructor, and a server it left running would hold
// ctest's output pipe open until the test's timeout, and the next test's port or database.
//
//   pid_t parent = getpid();
//   pid_t pid = fork();
//   if (pid == 0) {
//     DieWithParent(parent);
//     ... execv(...);
//   }
//
// The kernel sends SIGKILL when the thread that forked ends (PR_SET_PDEATHSIG), so fork from the
// test's own thread, not from a short-lived one. `parent` is getpid() taken before the fork; the
// child ends at once if the parent died before the signal was set.
#pragma once

#include <sys/types.h>

namespace rectify::test {

void DieWithParent(pid_t parent);

}  // namespace rectify::test
