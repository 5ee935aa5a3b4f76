#pragma once
// The report's answers to the questions of DESIGN.md, from its own numbers: made once when the
// report is written, stored in it (`findings`), printed at the end of a run, shown by the page.
// An answer the numbers cannot support (a size, a worker count or a split not measured, noise
// larger than the difference) says so instead of guessing.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace parbench {

// One object per question: {question (a stable id), title, answer (plain sentences with the
// numbers), supported, evidence (run names of the report's entries), figures (the numbers
// quoted)}. Reads only the report: its entries with their derived figures, and its context
// (the registry of backends, the machine, the calibration).
nlohmann::json findings_of(const nlohmann::json& report);

// The findings as a person reads them at the end of a run, wrapped to `width` columns.
std::vector<std::string> findings_text(const nlohmann::json& findings, std::size_t width = 120);

}  // namespace parbench
