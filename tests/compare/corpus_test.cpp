// Every file the fuzzer kept (tests/compare/corpus/) and every fixture, fed to the program as
// a report: it must answer 0 or 2, never crash, and say why on one line when it refuses.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "tests/process.hpp"

namespace {

const std::string kBinary = PARBENCH_COMPARE_BINARY;

std::vector<std::string> files_in(const std::string& folder) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(folder, ec))
    if (e.is_regular_file() && e.path().extension() != ".py" && e.path().filename() != "README.md")
      files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

void feed(const std::string& folder, std::size_t at_least) {
  const auto files = files_in(folder);
  EXPECT_GE(files.size(), at_least) << folder;
  for (const auto& file : files) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{kBinary, file, file},
          std::vector<std::string>{kBinary, file, "--pivot=backend", "--format=json"}}) {
      const auto o = parbench::testing::run_program(args);
      EXPECT_TRUE(o.status == 0 || o.status == 2) << file << ": status " << o.status << "\n"
                                                  << o.err;
      if (o.status == 2) {
        EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << file;
      }
    }
  }
}

TEST(Corpus, FuzzerFindingsNeverCrashTheReader) {
  feed(PARBENCH_COMPARE_CORPUS, 1);
}

TEST(Corpus, FixturesNeverCrashTheReader) {
  feed(PARBENCH_COMPARE_FIXTURES, 10);
}

}  // namespace
