#include <gtest/gtest.h>

#include "backends/backend.hpp"

namespace parbench {
namespace {

// Every test process ends as parbench does: oneTBB's workers are waited for, so that
// LeakSanitizer does not find memory they still hold, and so that a backend left alive by a
// test (oneTBB then refuses) fails the run.
class RuntimeWorkersEnd final : public testing::Environment {
 public:
  void TearDown() override {
    EXPECT_TRUE(end_runtime_workers().empty()) << "a TBB backend outlived its test";
  }
};

const testing::Environment* const kRuntimeWorkersEnd =
    testing::AddGlobalTestEnvironment(new RuntimeWorkersEnd);

}  // namespace
}  // namespace parbench
