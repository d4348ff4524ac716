// The cn calendar as shipped (workflows/calendars/cn.yaml), year by year, against the State
// Council General Office's notices. Each year: the Spring Festival is off, its make-up weekend
// days are worked, a day inside National Day is off, the other festivals, and one working-day
// addition across a holiday.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rectify/calendar/calendar.h"
#include "tests/calendar/calendar_test_util.h"

namespace rectify {
namespace {

using test::Cn;
using test::D;

// Every day of FROM..TO is not a working day.
void ExpectOff(const std::string& from, const std::string& to) {
  for (Date d = D(from); d <= D(to); d += std::chrono::days(1)) {
    auto work = Cn().IsWorkday(d);
    ASSERT_TRUE(work.ok()) << work.error().message();
    EXPECT_FALSE(*work) << FormatDate(d) << " should be a day off";
  }
}
void ExpectOff(const std::string& day) { ExpectOff(day, day); }

void ExpectWorked(const std::vector<std::string>& days) {
  for (const auto& day : days) {
    auto work = Cn().IsWorkday(D(day));
    ASSERT_TRUE(work.ok()) << work.error().message();
    EXPECT_TRUE(*work) << day << " should be a working day";
  }
}

void ExpectAdd(const std::string& from, int n, const std::string& to) {
  auto r = Cn().AddWorkdays(D(from), n);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(FormatDate(*r), to) << from << " + " << n << "wd";
}

// (weekdays off) - (weekend days worked): the statutory holidays that fell in the year.
int NetDaysOff(int year) {
  int net = 0;
  for (Date d = D(std::to_string(year) + "-01-01"); d <= D(std::to_string(year) + "-12-31");
       d += std::chrono::days(1)) {
    unsigned wd = std::chrono::weekday(d).c_encoding();
    bool weekend = wd == 0 || wd == 6;
    bool work = *Cn().IsWorkday(d);
    if (!weekend && !work) ++net;
    if (weekend && work) --net;
  }
  return net;
}

TEST(CnCalendarTest, Year2016) {  // 国办发明电〔2015〕18号
  ExpectOff("2016-01-01", "2016-01-03");
  ExpectOff("2016-02-07", "2016-02-13");
  ExpectWorked(
      {"2016-02-06", "2016-02-14", "2016-06-12", "2016-09-18", "2016-10-08", "2016-10-09"});
  ExpectOff("2016-04-04");
  ExpectOff("2016-05-02");
  ExpectOff("2016-06-09", "2016-06-11");
  ExpectOff("2016-09-15", "2016-09-17");
  ExpectOff("2016-10-01", "2016-10-07");
  ExpectWorked({"2016-02-05", "2016-02-15", "2016-10-10"});
  ExpectAdd("2016-02-06", 1, "2016-02-14");
  ExpectAdd("2016-09-30", 2, "2016-10-09");
}

TEST(CnCalendarTest, Year2017) {  // 国办发明电〔2016〕14号
  ExpectOff("2017-01-01", "2017-01-02");
  ExpectOff("2017-01-27", "2017-02-02");
  ExpectWorked({"2017-01-22", "2017-02-04", "2017-04-01", "2017-05-27", "2017-09-30"});
  ExpectOff("2017-04-02", "2017-04-04");
  ExpectOff("2017-04-29", "2017-05-01");
  ExpectOff("2017-05-28", "2017-05-30");
  ExpectOff("2017-10-01", "2017-10-08");  // Mid-Autumn (10-04) and National Day together
  ExpectWorked({"2017-02-03", "2017-10-09"});
  ExpectAdd("2017-04-21", 10, "2017-05-08");
  ExpectAdd("2017-01-26", 1, "2017-02-03");
}

TEST(CnCalendarTest, Year2018) {  // 国办发明电〔2017〕12号
  ExpectOff("2017-12-30", "2018-01-01");
  ExpectOff("2018-02-15", "2018-02-21");
  ExpectWorked({"2018-02-11", "2018-02-24", "2018-04-08", "2018-04-28", "2018-09-29", "2018-09-30",
                "2018-12-29"});
  ExpectOff("2018-04-05", "2018-04-07");
  ExpectOff("2018-04-29", "2018-05-01");
  ExpectOff("2018-06-16", "2018-06-18");
  ExpectOff("2018-09-22", "2018-09-24");
  ExpectOff("2018-10-01", "2018-10-07");
  ExpectOff("2018-12-30", "2018-12-31");  // the 2019 New Year period
  ExpectAdd("2018-02-14", 1, "2018-02-22");
  ExpectAdd("2018-12-28", 2, "2019-01-02");
}

TEST(CnCalendarTest, Year2019) {  // 国办发明电〔2018〕15号, May Day per 国办发明电〔2019〕2号
  ExpectOff("2019-01-01");
  ExpectOff("2019-02-04", "2019-02-10");
  ExpectWorked(
      {"2019-02-02", "2019-02-03", "2019-04-28", "2019-05-05", "2019-09-29", "2019-10-12"});
  ExpectOff("2019-04-05", "2019-04-07");
  ExpectOff("2019-05-01", "2019-05-04");
  ExpectOff("2019-06-07", "2019-06-09");
  ExpectOff("2019-09-13", "2019-09-15");
  ExpectOff("2019-10-01", "2019-10-07");
  ExpectAdd("2019-02-03", 1, "2019-02-11");
  ExpectAdd("2019-04-30", 1, "2019-05-05");
}

TEST(CnCalendarTest, Year2020) {  // 国办发明电〔2019〕16号, Spring Festival per 〔2020〕1号
  ExpectOff("2020-01-01");
  // Announced as 24-30 January; extended to 2 February, so the make-up Saturday 1 February
  // was not worked.
  ExpectOff("2020-01-24", "2020-02-02");
  ExpectWorked(
      {"2020-01-19", "2020-04-26", "2020-05-09", "2020-06-28", "2020-09-27", "2020-10-10"});
  ExpectOff("2020-04-04", "2020-04-06");
  ExpectOff("2020-05-01", "2020-05-05");
  ExpectOff("2020-06-25", "2020-06-27");
  ExpectOff("2020-10-01", "2020-10-08");  // National Day and Mid-Autumn together
  ExpectAdd("2020-01-23", 1, "2020-02-03");
  ExpectAdd("2020-09-30", 1, "2020-10-09");
}

TEST(CnCalendarTest, Year2021) {  // 国办发明电〔2020〕27号
  ExpectOff("2021-01-01", "2021-01-03");
  ExpectOff("2021-02-11", "2021-02-17");
  ExpectWorked({"2021-02-07", "2021-02-20", "2021-04-25", "2021-05-08", "2021-09-18", "2021-09-26",
                "2021-10-09"});
  ExpectOff("2021-04-03", "2021-04-05");
  ExpectOff("2021-05-01", "2021-05-05");
  ExpectOff("2021-06-12", "2021-06-14");
  ExpectOff("2021-09-19", "2021-09-21");
  ExpectOff("2021-10-01", "2021-10-07");
  ExpectAdd("2021-02-10", 1, "2021-02-18");
  ExpectAdd("2021-09-17", 2, "2021-09-22");
}

TEST(CnCalendarTest, Year2022) {  // 国办发明电〔2021〕11号
  ExpectOff("2022-01-01", "2022-01-03");
  ExpectOff("2022-01-31", "2022-02-06");
  ExpectWorked({"2022-01-29", "2022-01-30", "2022-04-02", "2022-04-24", "2022-05-07", "2022-10-08",
                "2022-10-09"});
  ExpectOff("2022-04-03", "2022-04-05");
  ExpectOff("2022-04-30", "2022-05-04");
  ExpectOff("2022-06-03", "2022-06-05");
  ExpectOff("2022-09-10", "2022-09-12");
  ExpectOff("2022-10-01", "2022-10-07");
  ExpectOff("2022-12-31");
  ExpectAdd("2022-01-30", 1, "2022-02-07");
  ExpectAdd("2022-09-30", 1, "2022-10-08");
}

TEST(CnCalendarTest, Year2023) {  // 国办发明电〔2022〕16号
  ExpectOff("2022-12-31", "2023-01-02");
  ExpectOff("2023-01-21", "2023-01-27");
  ExpectWorked({"2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06", "2023-06-25", "2023-10-07",
                "2023-10-08"});
  ExpectOff("2023-04-05");
  ExpectOff("2023-04-29", "2023-05-03");
  ExpectOff("2023-06-22", "2023-06-24");
  ExpectOff("2023-09-29", "2023-10-06");  // Mid-Autumn (09-29) and National Day together
  ExpectAdd("2023-01-20", 1, "2023-01-28");
  ExpectAdd("2023-09-28", 1, "2023-10-07");
}

TEST(CnCalendarTest, Year2024) {  // 国办发明电〔2023〕7号
  ExpectOff("2023-12-30", "2024-01-01");
  ExpectOff("2024-02-10", "2024-02-17");
  ExpectWorked({"2024-02-04", "2024-02-09", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11",
                "2024-09-14", "2024-09-29", "2024-10-12"});
  ExpectOff("2024-04-04", "2024-04-06");
  ExpectOff("2024-05-01", "2024-05-05");
  ExpectOff("2024-06-08", "2024-06-10");
  ExpectOff("2024-09-15", "2024-09-17");
  ExpectOff("2024-10-01", "2024-10-07");
  ExpectAdd("2024-02-09", 1, "2024-02-18");
  ExpectAdd("2024-04-30", 1, "2024-05-06");
}

TEST(CnCalendarTest, Year2025) {  // 国办发明电〔2024〕12号: 13 statutory days from this year
  ExpectOff("2025-01-01");
  ExpectOff("2025-01-28", "2025-02-04");  // from New Year's Eve (除夕)
  ExpectWorked({"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"});
  ExpectOff("2025-04-04", "2025-04-06");
  ExpectOff("2025-05-01", "2025-05-05");
  ExpectOff("2025-05-31", "2025-06-02");
  ExpectOff("2025-10-01", "2025-10-08");  // National Day and Mid-Autumn (10-06) together
  ExpectAdd("2025-01-27", 1, "2025-02-05");
  ExpectAdd("2025-09-30", 1, "2025-10-09");
}

TEST(CnCalendarTest, Year2026) {  // 国办发明电〔2025〕7号
  ExpectOff("2026-01-01", "2026-01-03");
  ExpectOff("2026-02-15", "2026-02-23");
  ExpectWorked(
      {"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"});
  ExpectOff("2026-04-04", "2026-04-06");
  ExpectOff("2026-05-01", "2026-05-05");
  ExpectOff("2026-06-19", "2026-06-21");
  ExpectOff("2026-09-25", "2026-09-27");
  ExpectOff("2026-10-01", "2026-10-07");
  ExpectAdd("2026-02-14", 1, "2026-02-24");
  ExpectAdd("2026-09-30", 1, "2026-10-08");
}

TEST(CnCalendarTest, EachYearGivesItsStatutoryDaysOff) {
  // 11 statutory days until 2024, 13 from 2025 (国务院令第798号); 2020 had two more, from the
  // Spring Festival extension (one weekday off, one make-up Saturday cancelled).
  for (int year = 2016; year <= 2026; ++year) {
    int expected = year >= 2025 ? 13 : year == 2020 ? 13 : 11;
    EXPECT_EQ(NetDaysOff(year), expected) << year;
  }
}

TEST(CnCalendarTest, MakeUpWorkdaysAreWeekendDays) {
  for (const auto& [year, rules] : Cn().spec().years) {
    for (Date d : rules.workdays) {
      unsigned wd = std::chrono::weekday(d).c_encoding();
      EXPECT_TRUE(wd == 0 || wd == 6) << FormatDate(d);
    }
  }
}

}  // namespace
}  // namespace rectify
