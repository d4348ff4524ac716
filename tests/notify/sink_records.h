// What the local servers of tests/support/ received, as they saved it: smtp_sink.py's
// DIR/NNN.json and http_sink.py's DIR/NNNNNN.json, in arrival order.
#pragma once

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace rectify::test {

inline std::vector<boost::json::object> SinkRecords(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<boost::json::object> out;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::stringstream s;
    s << in.rdbuf();
    out.push_back(boost::json::parse(s.str()).as_object());
  }
  return out;
}

}  // namespace rectify::test
