// The registry of backends a report carries (context.backends): how the reader reads it, the
// fallback for older reports, and the pivot's reference backend taken from it.
#include "schema/registry.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "schema/report.hpp"
#include "tests/compare/files.hpp"
#include "tests/process.hpp"
#include "tools/compare/cli.hpp"
#include "tools/compare/matching.hpp"
#include "tools/compare/pivot.hpp"

namespace parbench::compare {
namespace {

using nlohmann::json;

const std::string kFixtures = PARBENCH_COMPARE_FIXTURES;
const std::string kBinary = PARBENCH_COMPARE_BINARY;

// A registry entry as parbench writes it (reports/SCHEMA.md).
json backend_entry(const std::string& name, bool reference) {
  return {
      {"name", name},
      {"launches", {"inline"}},
      {"reference", reference},
      {"reports_children_cpu", false},
      {"timed_starts", json::array()},
      {"sum_policies",
       {{{"name", "block"}, {"split", "block"}, {"takes_grain", false}, {"longest_first", false}}}},
      {"task_policies", json::array()}};
}

json sum_entry(const std::string& backend, const std::string& launch, int workers,
               double microseconds) {
  const json params = {{"kernel", "sum"},   {"backend", backend}, {"launch", launch},
                       {"policy", "block"}, {"workers", workers}, {"size", 1024}};
  return {{"name", "sum/" + backend + "/workers:" + std::to_string(workers)},
          {"real_time", microseconds},
          {"time_unit", "us"},
          {"params", params}};
}

// Sums of one size: two one-worker backends ("inline" and "serial") and thread at 2 and 4
// workers; `context` decides which of the two is the reference.
std::string report_text(const json& context) {
  json report = {{"benchmarks",
                  {sum_entry("inline", "inline", 1, 100), sum_entry("serial", "inline", 1, 90),
                   sum_entry("thread", "pool", 2, 55), sum_entry("thread", "pool", 4, 30)}}};
  if (!context.is_null()) report["context"] = context;
  return report.dump();
}

// A registry in which "inline", not "serial", is the reference.
json inline_is_reference() {
  return {{"backends",
           {backend_entry("inline", true), backend_entry("serial", false),
            backend_entry("thread", false)}}};
}

PivotTable backend_pivot(const Report& report) {
  std::vector<std::string> notes;
  return pivot({"r"}, {group_entries(report, notes)}, "backend", make_metric("real_time"));
}

std::size_t column_of(const PivotTable& t, const std::string& backend) {
  const auto it = std::find_if(t.columns.begin(), t.columns.end(),
                               [&](const PivotColumn& c) { return c.header == backend; });
  EXPECT_NE(it, t.columns.end()) << backend;
  return static_cast<std::size_t>(it - t.columns.begin());
}

// The rows (by label) in which a backend's column has a value.
std::vector<std::string> rows_with(const PivotTable& t, const std::string& backend) {
  const std::size_t column = column_of(t, backend);
  std::vector<std::string> labels;
  for (const PivotRow& row : t.rows)
    if (row.cells[column].value) labels.push_back(row.label);
  return labels;
}

bool has_note(const PivotTable& t, const std::string& text) {
  return std::find(t.notes.begin(), t.notes.end(), text) != t.notes.end();
}

using testing::error_of;

// --- Reading the registry -----------------------------------------------------------------

TEST(ReportedBackends, ReadFromTheReportsContext) {
  json context = inline_is_reference();
  context["backends"][2]["launches"] = {"spawn", "pool"};
  context["backends"][2]["timed_starts"] = {"pool"};
  context["backends"][2]["sum_policies"].push_back(
      {{"name", "stripes"}, {"split", "cyclic"}, {"takes_grain", true}, {"longest_first", true}});
  const Report r = parse_report(report_text(context), "r.json");
  EXPECT_TRUE(r.registry.from_report);
  ASSERT_EQ(r.registry.backends.size(), 3u);
  EXPECT_EQ(r.registry.backends[0].name, "inline");
  ASSERT_NE(r.registry.reference(), nullptr);
  EXPECT_EQ(r.registry.reference()->name, "inline");
  const ReportedBackend& thread = r.registry.backends[2];
  EXPECT_FALSE(thread.reference);
  EXPECT_EQ(thread.launches, (std::vector<std::string>{"spawn", "pool"}));
  EXPECT_EQ(thread.timed_starts, (std::vector<std::string>{"pool"}));
  ASSERT_EQ(thread.sum_policies.size(), 2u);
  EXPECT_EQ(thread.sum_policies[1].name, "stripes");
  EXPECT_EQ(thread.sum_policies[1].split, "cyclic");
  EXPECT_TRUE(thread.sum_policies[1].takes_grain);
  EXPECT_TRUE(thread.sum_policies[1].longest_first);
}

TEST(ReportedBackends, OlderReportWithoutItFallsBackToSerial) {
  for (const json& context : {json(), json::object(), json{{"host_name", "old"}}}) {
    const Report r = parse_report(report_text(context), "old.json");
    EXPECT_FALSE(r.registry.from_report);
    ASSERT_NE(r.registry.reference(), nullptr);
    EXPECT_EQ(r.registry.reference()->name, "serial");
  }
  // The committed fixtures are older than the registry, as are the reference reports.
  const Report fixture = read_report(kFixtures + "/parbench_a.json");
  EXPECT_FALSE(fixture.registry.from_report);
  EXPECT_EQ(fixture.registry.reference()->name, "serial");
}

TEST(ReportedBackends, AJournalReadsItFromItsSessionHeader) {
  const json header = {{"parbench_journal", 1}, {"session", inline_is_reference()}};
  const json line = {{"benchmark", "sum/thread"},
                     {"entries", {sum_entry("thread", "pool", 2, 55)}}};
  const Report r = parse_report(header.dump() + "\n" + line.dump() + "\n", "r.json.partial");
  EXPECT_TRUE(r.registry.from_report);
  EXPECT_EQ(r.registry.reference()->name, "inline");
}

TEST(ReportedBackends, NoReferenceIsAllowed) {
  const json context = {{"backends", {backend_entry("serial", false)}}};
  const Report r = parse_report(report_text(context), "r.json");
  EXPECT_TRUE(r.registry.from_report);
  EXPECT_EQ(r.registry.reference(), nullptr);
}

struct BadRegistry {
  json backends;
  const char* says;
};

class BadRegistries : public ::testing::TestWithParam<BadRegistry> {};

TEST_P(BadRegistries, SaysWhatIsWrongInOneLine) {
  const std::string message = error_of(report_text({{"backends", GetParam().backends}}));
  EXPECT_NE(message.find(GetParam().says), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

json with(const std::string& key, const json& value) {
  json backend = backend_entry("thread", false);
  backend[key] = value;
  return json::array({backend});
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadRegistries,
    ::testing::Values(
        BadRegistry{json::object(), "'context.backends' is an object, not an array of backends"},
        BadRegistry{nullptr, "'context.backends' is null, not an array of backends"},
        BadRegistry{json::array({"serial"}), "'context.backends[0]' is a string, not an object"},
        BadRegistry{json::array({json::object()}), "'context.backends[0]' has no 'name'"},
        BadRegistry{with("name", 7), "'context.backends[0].name' is a number, not a non-empty"},
        BadRegistry{with("name", ""), "'context.backends[0].name' is a string, not a non-empty"},
        BadRegistry{with("reference", "yes"),
                    "'context.backends[0].reference' is a string, not true or false"},
        BadRegistry{with("launches", {1}),
                    "'context.backends[0].launches' is an array, not an array of strings"},
        BadRegistry{with("sum_policies", json::object()),
                    "'context.backends[0].sum_policies' is an object, not an array of policies"},
        BadRegistry{with("task_policies", {{{"split", "block"}}}),
                    "'context.backends[0].task_policies[0]' has no 'name'"},
        BadRegistry{with("sum_policies", {{{"name", "block"}, {"split", 3}}}),
                    "'context.backends[0].sum_policies[0].split' is a number, not a string"},
        BadRegistry{json::array({backend_entry("fork", false), backend_entry("fork", false)}),
                    "'context.backends' names the backend 'fork' twice"},
        BadRegistry{json::array({backend_entry("serial", true), backend_entry("inline", true)}),
                    "marks 2 backends as the reference ('serial', 'inline'): a report has one"}));

// --- The pivot's reference ------------------------------------------------------------------

TEST(ReportedBackends, PivotIsAgainstTheReferenceTheRegistryNames) {
  const Report r = parse_report(report_text(inline_is_reference()), "r.json");
  const PivotTable t = backend_pivot(r);
  const std::vector<std::string> every_row = {"sum workers:1 size:1K", "sum workers:2 size:1K",
                                              "sum workers:4 size:1K"};
  EXPECT_EQ(rows_with(t, "inline"), every_row);
  EXPECT_EQ(rows_with(t, "serial"), std::vector<std::string>{"sum workers:1 size:1K"});
  EXPECT_NEAR(*t.rows[2].cells[column_of(t, "inline")].value, 100e-6, 1e-15);
  EXPECT_TRUE(
      has_note(t, "inline runs one worker: it is shown in every workers row as the reference."));
}

TEST(ReportedBackends, PivotOfAnOlderReportIsStillAgainstSerial) {
  const Report r = parse_report(report_text(nullptr), "old.json");
  const PivotTable t = backend_pivot(r);
  const std::vector<std::string> every_row = {"sum workers:1 size:1K", "sum workers:2 size:1K",
                                              "sum workers:4 size:1K"};
  EXPECT_EQ(rows_with(t, "serial"), every_row);
  EXPECT_EQ(rows_with(t, "inline"), std::vector<std::string>{"sum workers:1 size:1K"});
  EXPECT_TRUE(
      has_note(t, "serial runs one worker: it is shown in every workers row as the reference."));
}

TEST(ReportedBackends, PivotWithoutAReferenceRepeatsNothing) {
  json context = inline_is_reference();
  context["backends"][0]["reference"] = false;
  const PivotTable t = backend_pivot(parse_report(report_text(context), "r.json"));
  EXPECT_EQ(rows_with(t, "inline"), std::vector<std::string>{"sum workers:1 size:1K"});
  EXPECT_EQ(rows_with(t, "serial"), std::vector<std::string>{"sum workers:1 size:1K"});
  for (const std::string& note : t.notes) EXPECT_EQ(note.find("reference"), std::string::npos);
}

// --- The program ----------------------------------------------------------------------------

TEST(RegistryProgram, PivotNamesTheReportsReference) {
  const testing::TempDir dir;
  const std::string path = dir.write("r.json", report_text(inline_is_reference()));
  const auto o = parbench::testing::run_program({kBinary, path, "--pivot", "backend"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("inline runs one worker"), std::string::npos) << o.out;
}

TEST(RegistryProgram, BadRegistryIsOneLineAndStatusTwo) {
  const testing::TempDir dir;
  json context = inline_is_reference();
  context["backends"][1]["reference"] = true;
  const std::string path = dir.write("r.json", report_text(context));
  const auto o = parbench::testing::run_program({kBinary, path, "--pivot", "backend"});
  EXPECT_EQ(o.status, kBadInput);
  EXPECT_TRUE(o.out.empty()) << o.out;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  EXPECT_NE(o.err.find(path + ": 'context.backends' marks 2 backends as the reference"),
            std::string::npos)
      << o.err;
}

}  // namespace
}  // namespace parbench::compare
