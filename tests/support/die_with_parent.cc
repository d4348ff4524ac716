#include "tests/support/die_with_parent.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>

namespace rectify::test {

void DieWithParent(pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);  // the parent died before the line above
}

}  // namespace rectify::test
