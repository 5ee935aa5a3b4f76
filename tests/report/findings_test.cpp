// The report's findings, from reports made here: each answer rests on the report's own entries,
// and says so when the numbers cannot support it.
#include "report/findings.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace parbench {
namespace {

using nlohmann::json;

json policy(const std::string& name, const std::string& split, bool longest_first = false) {
  return {
      {"name", name}, {"split", split}, {"takes_grain", false}, {"longest_first", longest_first}};
}

// A registry as reports carry it: a reference backend and two others, named unlike any real one
// (the findings must read facts from the registry, not from names).
json registry() {
  json kept = {{"name", "alpha"},
               {"reference", false},
               {"launches", {"pool", "spawn"}},
               {"workers_per_job", {"spawn"}},
               {"sum_policies", {policy("lo", "block"), policy("hi", "cyclic")}},
               {"task_policies",
                {policy("lo", "block"), policy("q", "dynamic"), policy("big", "dynamic", true)}}};
  json other = {{"name", "beta"},
                {"reference", false},
                {"launches", {"arena"}},
                {"workers_per_job", json::array()},
                {"sum_policies", {policy("grab", "stealing")}},
                {"task_policies", {policy("grab", "stealing")}}};
  json reference = {{"name", "one"},
                    {"reference", true},
                    {"launches", {"inline"}},
                    {"workers_per_job", json::array()},
                    {"sum_policies", {policy("lo", "block")}},
                    {"task_policies", {policy("lo", "block")}}};
  return {reference, kept, other};
}

json context(unsigned cpus = 2) {
  return {{"usable_cpus", cpus},
          {"read_bandwidth", 10e9},
          {"cache_levels", {{{"level", 3}, {"type", "Unified"}, {"bytes", 1 << 20}}}},
          {"topology", {{"numa_nodes", {{{"index", 0}}}}}},
          {"pin", "none"},
          {"measurement", {{"target", 0.02}}},
          {"calibration", {{"drift", 0.01}}},
          {"backends", registry()}};
}

// A median entry of `seconds` (in us) known within ±`half` of itself.
json median(const std::string& name, json params, double seconds, double half = 0.01) {
  const double us = seconds * 1e6;
  return {{"name", name + "_median"},
          {"run_name", name},
          {"run_type", "aggregate"},
          {"aggregate_name", "median"},
          {"real_time", us},
          {"time_unit", "us"},
          {"verified", true},
          {"params", std::move(params)},
          {"measurement",
           {{"median_interval", {us * (1 - half), us * (1 + half)}},
            {"half_width", half},
            {"decided", half <= 0.02}}}};
}

json sum(const std::string& backend, const std::string& launch, const std::string& policy,
         int workers, double bytes, double seconds, double half = 0.01) {
  json e = median("sum/" + backend + "/" + launch + "/" + policy +
                      "/workers:" + std::to_string(workers) + "/bytes:" + std::to_string(bytes),
                  {{"kernel", "sum"},
                   {"backend", backend},
                   {"launch", launch},
                   {"policy", policy},
                   {"workers", workers},
                   {"bytes", bytes}},
                  seconds, half);
  e["bytes_per_second"] = bytes / seconds;
  e["bandwidth_fraction"] = bytes / seconds / 10e9;
  return e;
}

json task(const std::string& kernel, const std::string& backend, const std::string& policy,
          int workers, double seconds, double predicted, double speedup) {
  json e = median(kernel + "/" + backend + "/" + policy + "/workers:" + std::to_string(workers),
                  {{"kernel", kernel},
                   {"backend", backend},
                   {"launch", "pool"},
                   {"policy", policy},
                   {"workers", workers},
                   {"tasks", "seed"},
                   {"unit", 0.001},
                   {"task_count", 8}},
                  seconds);
  e["predicted"] = predicted;
  e["lower_bound"] = 0.009;
  e["speedup"] = speedup;
  return e;
}

json launch(const std::string& backend, const std::string& launch, const std::string& what,
            int workers, double seconds) {
  return median(
      "launch/" + backend + "/" + launch + "/" + what + "/workers:" + std::to_string(workers),
      {{"kernel", "launch"},
       {"backend", backend},
       {"launch", launch},
       {"policy", what},
       {"workers", workers}},
      seconds);
}

const json& finding(const json& findings, const std::string& question) {
  for (const auto& f : findings)
    if (f["question"] == question) return f;
  static const json none;
  ADD_FAILURE() << "no finding " << question;
  return none;
}

constexpr double kBig = 64 << 20;  // past the 1 MiB last-level cache of context()

TEST(Findings, EveryQuestionIsAnsweredInOneShapeEvenForAnEmptyReport) {
  for (const json& report : {json::object(), json{{"context", context()}, {"benchmarks", {}}}}) {
    const json findings = findings_of(report);
    std::set<std::string> questions;
    for (const auto& f : findings) {
      questions.insert(f["question"].get<std::string>());
      EXPECT_FALSE(f["title"].get<std::string>().empty());
      EXPECT_FALSE(f["answer"].get<std::string>().empty()) << f["question"];
      EXPECT_FALSE(f["supported"].get<bool>()) << f["question"] << ": " << f["answer"];
      EXPECT_TRUE(f["evidence"].empty());
      EXPECT_TRUE(f["figures"].is_object());
    }
    EXPECT_EQ(questions, (std::set<std::string>{"split", "bandwidth", "launch", "uneven",
                                                "oversubscription", "placement", "measurement"}));
  }
}

TEST(Findings, StridedAgainstBlocksComesFromTheRegistrysSplits) {
  json report = {
      {"context", context()},
      {"benchmarks",
       {sum("one", "inline", "lo", 1, kBig, 0.010), sum("alpha", "pool", "lo", 2, kBig, 0.006),
        sum("alpha", "pool", "hi", 2, kBig, 0.012), sum("beta", "arena", "grab", 2, kBig, 0.005)}}};
  const json f = finding(findings_of(report), "split");
  EXPECT_TRUE(f["supported"].get<bool>()) << f["answer"];
  EXPECT_NEAR(f["figures"]["alpha/pool"].get<double>(), 0.5, 1e-9);
  EXPECT_EQ(f["figures"]["workers"], 2);
  EXPECT_EQ(f["evidence"].size(), 2u);
  EXPECT_NE(f["answer"].get<std::string>().find("Blocks win"), std::string::npos) << f["answer"];

  const json b = finding(findings_of(report), "bandwidth");
  EXPECT_TRUE(b["supported"].get<bool>()) << b["answer"];
  EXPECT_NEAR(b["figures"]["beta"].get<double>(), kBig / 0.005 / 10e9, 1e-9);
  EXPECT_NEAR(b["figures"]["alpha"].get<double>(), kBig / 0.006 / 10e9, 1e-9);
}

TEST(Findings, ADifferenceWithinTheNoiseIsNotCalledAWin) {
  json report = {{"context", context()},
                 {"benchmarks",
                  {sum("alpha", "pool", "lo", 2, kBig, 0.0100, 0.05),
                   sum("alpha", "pool", "hi", 2, kBig, 0.0104, 0.05)}}};
  const json f = finding(findings_of(report), "split");
  EXPECT_NE(f["answer"].get<std::string>().find("within the noise"), std::string::npos)
      << f["answer"];
  EXPECT_EQ(f["answer"].get<std::string>().find("win"), std::string::npos) << f["answer"];
}

TEST(Findings, ASumThatFitsInTheCacheDoesNotAnswerForMemory) {
  json report = {{"context", context()},
                 {"benchmarks", {sum("alpha", "pool", "lo", 2, 1 << 19, 0.0001)}}};
  const json f = finding(findings_of(report), "bandwidth");
  EXPECT_FALSE(f["supported"].get<bool>());
  EXPECT_NE(f["answer"].get<std::string>().find("last-level cache"), std::string::npos)
      << f["answer"];
}

TEST(Findings, UnverifiedAndFailedRunsAreNoEvidence) {
  json wrong = sum("alpha", "pool", "hi", 2, kBig, 0.012);
  wrong["verified"] = false;
  json report = {{"context", context()},
                 {"benchmarks", {sum("alpha", "pool", "lo", 2, kBig, 0.006), wrong}}};
  EXPECT_FALSE(finding(findings_of(report), "split")["supported"].get<bool>());
}

// Google Benchmark writes NaN for a time it could not take; the reader makes it null. Such an
// entry is no evidence, and the other entries still answer.
TEST(Findings, AnEntryWithoutATimeIsNoEvidence) {
  json nan = sum("alpha", "pool", "hi", 2, kBig, 0.012);
  nan["real_time"] = nullptr;
  nan["predicted"] = nullptr;
  json report = {{"context", context()},
                 {"benchmarks", {sum("alpha", "pool", "lo", 2, kBig, 0.006), nan}}};
  json findings;
  ASSERT_NO_THROW(findings = findings_of(report));
  EXPECT_FALSE(finding(findings, "split")["supported"].get<bool>());
}

TEST(Findings, DispatchBesideItsFloorAndWhenAPoolRepaysItsStart) {
  json report = {
      {"context", context()},
      {"benchmarks",
       {launch("alpha", "pool", "dispatch", 2, 1.1e-6), launch("alpha", "pool", "floor", 2, 1.0e-6),
        launch("alpha", "pool", "start", 2, 250e-6),
        launch("alpha", "spawn", "dispatch", 2, 101.1e-6)}}};
  const json f = finding(findings_of(report), "launch");
  ASSERT_TRUE(f["supported"].get<bool>()) << f["answer"];
  const std::string answer = f["answer"];
  EXPECT_NE(answer.find("1.10× its bare runtime"), std::string::npos) << answer;
  EXPECT_NE(answer.find("after 3 jobs"), std::string::npos) << answer;  // 250 / 100 -> 3
  EXPECT_EQ(f["evidence"].size(), 4u);
}

TEST(Findings, UnevenTasksRankTheSplitsAgainstTheModel) {
  json report = {{"context", context()},
                 {"benchmarks",
                  {task("sleep", "one", "lo", 1, 0.036, 0.036, 1),
                   task("sleep", "alpha", "lo", 4, 0.0142, 0.014, 2.5),
                   task("sleep", "alpha", "q", 4, 0.0132, 0.013, 2.7),
                   task("sleep", "alpha", "big", 4, 0.0092, 0.009, 3.9),
                   task("sleep", "beta", "grab", 4, 0.0112, 0.013, 3.2)}}};
  const json f = finding(findings_of(report), "uneven");
  ASSERT_TRUE(f["supported"].get<bool>()) << f["answer"];
  EXPECT_NEAR(f["figures"]["longest-first queue"].get<double>(), 0.0092, 1e-12);
  EXPECT_NEAR(f["figures"]["block model"].get<double>(), 0.014, 1e-12);
  EXPECT_NEAR(f["figures"]["lower_bound"].get<double>(), 0.009, 1e-12);
  const std::string answer = f["answer"];
  EXPECT_LT(answer.find("longest-first queue"), answer.find("work stealing")) << answer;
  EXPECT_LT(answer.find("queue 13.2 ms"), answer.find("block")) << answer;
  EXPECT_NE(answer.find("beats the best static split by 54%"), std::string::npos) << answer;
  for (const auto& name : f["evidence"])
    EXPECT_EQ(name.get<std::string>().find("/one/"), std::string::npos) << "the reference";
}

TEST(Findings, OversubscriptionNeedsMoreWorkersThanCpus) {
  json few = {{"context", context(4)},
              {"benchmarks",
               {task("sleep", "alpha", "q", 4, 0.01, 0.01, 3.9),
                task("spin", "alpha", "q", 4, 0.02, 0.02, 1.9)}}};
  EXPECT_FALSE(finding(findings_of(few), "oversubscription")["supported"].get<bool>());
  json many = few;
  many["context"] = context(2);
  const json f = finding(findings_of(many), "oversubscription");
  ASSERT_TRUE(f["supported"].get<bool>()) << f["answer"];
  EXPECT_EQ(f["figures"]["sleep_speedup"], 3.9);
  EXPECT_EQ(f["figures"]["spin_speedup"], 1.9);
}

TEST(Findings, PlacementSaysWhatTheRunCannotTellAndWhatTheSystemDid) {
  json shared = sum("alpha", "pool", "lo", 2, kBig, 0.006);
  shared["placement"] = {{"pin", "none"}, {"cpu_of_worker", {1, 1}}};
  json apart = sum("alpha", "pool", "hi", 2, kBig, 0.012);
  apart["placement"] = {{"pin", "none"}, {"cpu_of_worker", {0, 1}}};
  json report = {{"context", context()}, {"benchmarks", {shared, apart}}};
  const json f = finding(findings_of(report), "placement");
  EXPECT_FALSE(f["supported"].get<bool>());
  EXPECT_EQ(f["figures"]["runs_with_shared_cpu"], 1);
  EXPECT_EQ(f["figures"]["runs_placed"], 2);
  EXPECT_NE(f["answer"].get<std::string>().find("--pin=none"), std::string::npos);
}

TEST(Findings, MeasurementCountsTheMediansWithinTheTarget) {
  json report = {{"context", context()},
                 {"benchmarks",
                  {sum("alpha", "pool", "lo", 2, kBig, 0.006, 0.01),
                   sum("alpha", "pool", "hi", 2, kBig, 0.012, 0.08)}}};
  const json f = finding(findings_of(report), "measurement");
  ASSERT_TRUE(f["supported"].get<bool>()) << f["answer"];
  EXPECT_EQ(f["figures"]["within_target"], 1);
  EXPECT_EQ(f["figures"]["within_10%"], 2);
  EXPECT_EQ(f["figures"]["undecided"], 1);
}

TEST(Findings, EvidenceNamesEntriesOfTheReportAndTheTextFits) {
  json report = {
      {"context", context()},
      {"benchmarks",
       {sum("one", "inline", "lo", 1, kBig, 0.010), sum("alpha", "pool", "lo", 2, kBig, 0.006),
        sum("alpha", "pool", "hi", 2, kBig, 0.012), launch("alpha", "pool", "dispatch", 2, 1e-6),
        task("sleep", "alpha", "q", 4, 0.0132, 0.013, 2.7),
        task("sleep", "alpha", "lo", 4, 0.0142, 0.014, 2.5)}}};
  std::set<std::string> names;
  for (const auto& e : report["benchmarks"]) names.insert(e["run_name"].get<std::string>());
  const json findings = findings_of(report);
  for (const auto& f : findings)
    for (const auto& name : f["evidence"])
      EXPECT_TRUE(names.count(name.get<std::string>())) << name;
  for (std::size_t width : {120u, 60u})
    for (const auto& line : findings_text(findings, width)) {
      std::size_t columns = 0;
      for (char c : line) columns += (c & 0xC0) != 0x80;
      EXPECT_LE(columns, width) << line;
    }
}

}  // namespace
}  // namespace parbench
