// rectify: the command line. See adapters/cli/cli.h and `rectify --help`.
#include <cstdlib>
#include <iostream>

#include "adapters/cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  rectify::cli::Context ctx{std::cout, std::cerr,
                            [](const std::string& name) -> std::optional<std::string> {
                              const char* v = std::getenv(name.c_str());
                              if (v == nullptr) return std::nullopt;
                              return std::string(v);
                            }};
  return rectify::cli::Run(args, ctx);
}
