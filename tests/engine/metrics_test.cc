#include "rectify/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace rectify {
namespace {

TEST(MetricsTest, EmptyRegistryRendersNothing) {
  Metrics m;
  EXPECT_EQ(m.RenderPrometheus(), "");
}

TEST(MetricsTest, CounterAndGaugeRenderWithHelpAndTypeInNameOrder) {
  Metrics m;
  m.gauge("rectify_timers_due", "Timers due and not yet fired").Set(12);
  m.counter("rectify_timers_fired_total", "Timers fired").Inc();
  m.counter("rectify_timers_fired_total", "Timers fired").Inc(2);
  m.gauge("rectify_timers_due", "ignored: the first help stays").Add(-2.5);
  EXPECT_EQ(m.RenderPrometheus(),
            "# HELP rectify_timers_due Timers due and not yet fired\n"
            "# TYPE rectify_timers_due gauge\n"
            "rectify_timers_due 9.5\n"
            "# HELP rectify_timers_fired_total Timers fired\n"
            "# TYPE rectify_timers_fired_total counter\n"
            "rectify_timers_fired_total 3\n");
}

TEST(MetricsTest, SameNameAndLabelsIsTheSameObject) {
  Metrics m;
  Counter& a = m.counter("sent_total", "Sent", {{"channel", "email"}});
  Counter& b = m.counter("sent_total", "Sent", {{"channel", "email"}});
  Counter& c = m.counter("sent_total", "Sent", {{"channel", "sms"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
  a.Inc(4);
  EXPECT_EQ(b.value(), 4);
  EXPECT_EQ(c.value(), 0);
}

TEST(MetricsTest, LabelsAreSortedAndEscaped) {
  Metrics m;
  m.counter("sent_total", "Notifications sent\nby channel \\ kind", {{"channel", "sms"}}).Inc();
  m.counter("sent_total", "", {{"kind", "say \"hi\"\n"}, {"channel", "email"}}).Inc(2);
  EXPECT_EQ(m.RenderPrometheus(),
            "# HELP sent_total Notifications sent\\nby channel \\\\ kind\n"
            "# TYPE sent_total counter\n"
            "sent_total{channel=\"email\",kind=\"say \\\"hi\\\"\\n\"} 2\n"
            "sent_total{channel=\"sms\"} 1\n");
}

TEST(MetricsTest, HistogramHasCumulativeBucketsSumAndCount) {
  Metrics m;
  Histogram& h = m.histogram("batch_seconds", "Time to commit a batch", {0.5, 0.005, 0.05},
                             {{"backend", "sqlite"}});
  h.Observe(0.001);
  h.Observe(0.005);  // on a bound: counted in that bucket (le)
  h.Observe(0.3);
  h.Observe(7);
  EXPECT_EQ(m.RenderPrometheus(),
            "# HELP batch_seconds Time to commit a batch\n"
            "# TYPE batch_seconds histogram\n"
            "batch_seconds_bucket{backend=\"sqlite\",le=\"0.005\"} 2\n"
            "batch_seconds_bucket{backend=\"sqlite\",le=\"0.05\"} 2\n"
            "batch_seconds_bucket{backend=\"sqlite\",le=\"0.5\"} 3\n"
            "batch_seconds_bucket{backend=\"sqlite\",le=\"+Inf\"} 4\n"
            "batch_seconds_sum{backend=\"sqlite\"} 7.306\n"
            "batch_seconds_count{backend=\"sqlite\"} 4\n");
}

TEST(MetricsTest, HistogramWithoutLabelsAndEmpty) {
  Metrics m;
  m.histogram("wait_seconds", "Wait", {1, 10});
  EXPECT_EQ(m.RenderPrometheus(),
            "# HELP wait_seconds Wait\n"
            "# TYPE wait_seconds histogram\n"
            "wait_seconds_bucket{le=\"1\"} 0\n"
            "wait_seconds_bucket{le=\"10\"} 0\n"
            "wait_seconds_bucket{le=\"+Inf\"} 0\n"
            "wait_seconds_sum 0\n"
            "wait_seconds_count 0\n");
}

TEST(MetricsTest, CountsFromManyThreadsAddUp) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < 10000; ++i) {
        m.counter("hits_total", "Hits").Inc();
        m.gauge("level", "Level").Add(1);
        m.histogram("obs", "Obs", {1}).Observe(2);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.counter("hits_total", "Hits").value(), 40000);
  EXPECT_EQ(m.gauge("level", "Level").value(), 40000);
  Histogram::Snapshot s = m.histogram("obs", "Obs", {1}).snapshot();
  EXPECT_EQ(s.count, 40000u);
  EXPECT_EQ(s.buckets, (std::vector<std::uint64_t>{0, 40000}));
  EXPECT_EQ(s.sum, 80000);
}

TEST(HealthTest, StartsNotReadyAndSaysWhy) {
  Health h;
  EXPECT_FALSE(h.ready());
  EXPECT_EQ(h.reason(), "starting");
  h.SetReady(true);
  EXPECT_TRUE(h.ready());
  EXPECT_EQ(h.reason(), "");
  h.SetReady(false, "database unreachable: connection refused");
  EXPECT_FALSE(h.ready());
  EXPECT_EQ(h.reason(), "database unreachable: connection refused");
}

}  // namespace
}  // namespace rectify
