// Names in pinyin order (rectify/collation.h), the order a county office lists its units in.
#include "rectify/collation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace rectify {
namespace {

TEST(CollationTest, ChineseNamesSortInPinyinOrderNotByTheirBytes) {
  // 长塘 chang, 太平 tai, 土桥 tu; by UTF-8 bytes 土 (U+571F) < 太 (U+592A) < 长 (U+957F).
  std::vector<std::string> towns = {"土桥镇", "长塘镇", "太平镇"};
  std::sort(towns.begin(), towns.end(),
            [](const std::string& a, const std::string& b) { return NameLess(a, b); });
  EXPECT_THAT(towns, ::testing::ElementsAre("长塘镇", "太平镇", "土桥镇"));
  EXPECT_TRUE(NameLess("新邵县 / 酿溪镇", "新邵县 / 严塘镇"));  // niang < yan
  EXPECT_FALSE(NameLess("新邵县 / 严塘镇", "新邵县 / 酿溪镇"));
  EXPECT_FALSE(NameLess("酿溪镇", "酿溪镇"));
  EXPECT_TRUE(NameLess("Li Ming", "Wang Fang"));
}

}  // namespace
}  // namespace rectify
