#pragma once
// Which figure of an entry is compared, which way is better, and how it is shown.
#include <optional>
#include <string>

#include "schema/report.hpp"

namespace parbench::compare {

// A report as the schema's reader types it; parbench-compare answers an InputError with one
// line on stderr and exit status 2.
using schema::Completeness;
using schema::Entry;
using schema::InputError;
using schema::Report;
using schema::ReportedBackend;
using schema::ReportedBackends;
using schema::ReportedPolicy;

enum class Better { lower, higher };

struct Metric {
  std::string field;  // real_time, cpu_time, or any numeric field of an entry
  Better better = Better::lower;
  bool seconds = false;  // a time, held in seconds (real_time and cpu_time are converted)
};

// The metric named `field`: times are lower-is-better; throughputs (*_per_second), speedup,
// efficiency, bandwidth_fraction and workers_obtained are higher-is-better; anything else is
// lower-is-better unless `better` says otherwise.
Metric make_metric(const std::string& field, std::optional<Better> better = std::nullopt);

// The metric's value in an entry, if it has a finite one. real_time and cpu_time are turned
// into seconds from the entry's time_unit. bandwidth_fraction, when absent, is worked out from
// bytes_per_second and the report's context.read_bandwidth.
std::optional<double> metric_value(const Entry& entry, const Metric& metric, const Report& report);

// "1.23 ms", "45.6 G/s", "0.812": four significant digits, times and rates scaled.
std::string format_value(double value, const Metric& metric);

// 1234567 -> "1,234,567": counts in notes.
std::string grouped(std::size_t n);

// "lower is better" / "higher is better".
std::string direction_text(const Metric& metric);

}  // namespace parbench::compare
