// The fuzz corpus as a regression test: feeds every file of the folders given on the command
// line to the fuzz target's entry function (LLVMFuzzerTestOneInput), built by the normal compiler,
// so an input that once crashed the server's parsing stays fixed. `make test` runs it.
//
//   request_fuzz_corpus tests/fuzz/corpus/request
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  std::size_t files = 0;
  for (int i = 1; i < argc; ++i) {
    std::vector<std::filesystem::path> paths;
    for (const auto& entry : std::filesystem::directory_iterator(argv[i])) {
      if (entry.is_regular_file()) paths.push_back(entry.path());
    }
    for (const auto& path : paths) {
      std::ifstream in(path, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      ++files;
    }
  }
  std::printf("%zu corpus files, no crash\n", files);
  return files > 0 ? 0 : 1;  // an empty corpus is a mistake, not a pass
}
