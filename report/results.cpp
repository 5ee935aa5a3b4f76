#include "report/results.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

#include "schema/registry.hpp"

namespace parbench {

double real_time_seconds(const nlohmann::json& entry) {
  const std::string unit = entry.value("time_unit", "ns");
  const double scale = unit == "s" ? 1 : unit == "ms" ? 1e-3 : unit == "us" ? 1e-6 : 1e-9;
  return entry.at("real_time").get<double>() * scale;
}

namespace {

bool carries_times(const nlohmann::json& entry) {
  if (entry.value("error_occurred", false)) return false;
  if (entry.value("run_type", "iteration") == "iteration") return true;
  const std::string aggregate = entry.value("aggregate_name", "");
  return aggregate == "mean" || aggregate == "median";
}

std::string serial_key(const nlohmann::json& params) {
  return params.value("kernel", "") + "|" + params.value("size", nlohmann::json()).dump() + "|" +
         params.value("tasks", nlohmann::json()).dump() + "|" +
         params.value("unit", nlohmann::json()).dump();
}

// Serial reference time per kernel and size: its median over repetitions, else its mean run.
// Added to `times`; a benchmark's entries are all handed over at once.
void add_serial_times(const nlohmann::json& benchmarks, const std::set<std::string>& references,
                      std::map<std::string, double>& times) {
  std::map<std::string, double> median, sum;
  std::map<std::string, int> count;
  for (const auto& entry : benchmarks) {
    if (!entry.contains("params") || references.count(entry["params"].value("backend", "")) == 0 ||
        !carries_times(entry))
      continue;
    const std::string key = serial_key(entry["params"]);
    if (entry.value("aggregate_name", "") == "median") median[key] = real_time_seconds(entry);
    if (entry.value("run_type", "") == "iteration") {
      sum[key] += real_time_seconds(entry);
      count[key] += 1;
    }
  }
  for (const auto& [key, total] : sum)
    if (!median.count(key)) median[key] = total / count[key];
  for (const auto& [key, time] : median) times[key] = time;
}

void derive_figures(nlohmann::json& entries, const std::map<std::string, double>& serial,
                    double read_bandwidth) {
  for (auto& entry : entries) {
    if (!entry.contains("params") || !carries_times(entry)) continue;
    const auto& params = entry["params"];
    const std::string kernel = params.value("kernel", "");
    if (kernel == "launch") continue;
    if (auto it = serial.find(serial_key(params)); it != serial.end()) {
      const double speedup = it->second / real_time_seconds(entry);
      const double p = entry.value("workers_obtained", params.value("workers", 1.0));
      entry["speedup"] = speedup;
      entry["efficiency"] = speedup / p;
      if (p > 1) entry["karp_flatt"] = (1 / speedup - 1 / p) / (1 - 1 / p);
    }
    if (entry.contains("lower_bound") && entry.contains("predicted")) {  // task kernels
      const double makespan = real_time_seconds(entry);
      entry["makespan"] = makespan;
      entry["efficiency"] = entry["lower_bound"].get<double>() / makespan;
      entry["overhead"] = makespan - entry["predicted"].get<double>();
      entry.erase("karp_flatt");
    }
    if (entry.contains("bytes_per_second") && read_bandwidth > 0)
      entry["bandwidth_fraction"] = entry["bytes_per_second"].get<double>() / read_bandwidth;
  }
}

}  // namespace

void round_numbers(nlohmann::json& value, int digits) {
  if (value.is_number_float()) {
    const double x = value.get<double>();
    if (!std::isfinite(x)) return;
    char text[40];
    std::snprintf(text, sizeof text, "%.*g", digits, x);
    value = std::strtod(text, nullptr);
  } else if (value.is_structured()) {
    for (auto& item : value) round_numbers(item, digits);
  }
}

std::set<std::string> reference_backends(const nlohmann::json& context) {
  const schema::ReportedBackends registry = schema::read_registry(context);
  if (const schema::ReportedBackend* reference = registry.reference()) return {reference->name};
  return {};
}

void add_derived_figures(nlohmann::json& report) {
  std::map<std::string, double> serial;
  add_serial_times(report["benchmarks"],
                   reference_backends(report.value("context", nlohmann::json::object())), serial);
  derive_figures(report["benchmarks"], serial, report["context"].value("read_bandwidth", 0.0));
}

const FinishedBenchmark& Results::add(FinishedBenchmark b) {
  std::lock_guard lock(lock_);
  add_serial_times(b.entries, references_, serial_);
  // Figures against what is known so far (the report derives them again from everything).
  derive_figures(b.entries, serial_, read_bandwidth_);
  if (journal_ != nullptr && !journal_->append(benchmark_line(b)) && !warned_) {
    warned_ = true;
    std::fprintf(stderr,
                 "parbench: warning: cannot append to the journal %s (disk full?); results are "
                 "kept in memory and written when it can\n",
                 journal_->path().c_str());
  }
  names_.insert(b.name);
  benchmarks_.push_back(std::move(b));
  return benchmarks_.back();
}

void Results::add_loaded(FinishedBenchmark b) {
  std::lock_guard lock(lock_);
  add_serial_times(b.entries, references_, serial_);
  names_.insert(b.name);
  benchmarks_.push_back(std::move(b));
}

bool Results::finished(const std::string& name) const {
  return names_.count(name) != 0;
}

nlohmann::json Results::entries(double read_bandwidth) const {
  nlohmann::json all = nlohmann::json::array();
  std::map<std::string, double> serial;
  for (const auto& b : benchmarks_) {
    add_serial_times(b.entries, references_, serial);
    for (const auto& e : b.entries) all.push_back(e);
  }
  derive_figures(all, serial, read_bandwidth);
  return all;
}

}  // namespace parbench
