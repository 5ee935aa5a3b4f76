#include "benchmarks/report.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <stdexcept>

namespace parbench {

TeeReporter::TeeReporter(Progress* progress)
    : console_(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                                     : benchmark::ConsoleReporter::OO_Tabular),
      progress_(progress) {
  json_.SetOutputStream(&json_text_);
  json_.SetErrorStream(&json_text_);
}

bool TeeReporter::ReportContext(const Context& context) {
  console_.ReportContext(context);
  return json_.ReportContext(context);
}

void TeeReporter::ReportRuns(const std::vector<Run>& runs) {
  if (progress_ != nullptr) progress_->clear_line();
  std::fflush(stderr);
  console_.ReportRuns(runs);
  std::cout.flush();
  json_.ReportRuns(runs);
  // With repetitions, Google Benchmark reports the runs and then, in a call of their own, the
  // aggregates; that second call ends a benchmark (so does a failed one, which has none).
  if (progress_ != nullptr && !runs.empty() &&
      (runs.back().run_type == Run::RT_Aggregate || runs.back().repetitions <= 1 ||
       runs.back().error_occurred))
    progress_->finished(runs.back().run_name.str());
}

void TeeReporter::Finalize() {
  if (progress_ != nullptr) progress_->end();
  console_.Finalize();
  json_.Finalize();
}

double real_time_seconds(const nlohmann::json& entry) {
  const std::string unit = entry.value("time_unit", "ns");
  const double scale = unit == "s" ? 1 : unit == "ms" ? 1e-3 : unit == "us" ? 1e-6 : 1e-9;
  return entry.at("real_time").get<double>() * scale;
}

namespace {

// Google Benchmark writes non-finite numbers bare (a counter's stddev can come out as NaN from
// rounding), which is not JSON; they become null.
std::string without_bare_non_finite(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    if (i >= 2 && text.compare(i - 2, 2, ": ") == 0)
      for (const char* token :
           {"-Infinity", "Infinity", "-NaN", "NaN", "-nan", "nan", "-inf", "inf"}) {
        const std::size_t n = std::strlen(token);
        const char after = i + n < text.size() ? text[i + n] : '\n';
        if (text.compare(i, n, token) == 0 &&
            (after == ',' || after == '\n' || after == ' ' || after == '}')) {
          out += "null";
          i += n;
          replaced = true;
          break;
        }
      }
    if (!replaced) out += text[i++];
  }
  return out;
}

}  // namespace

nlohmann::json build_report(const std::string& benchmark_json, const Registry& registry,
                            const nlohmann::json& extra_context) {
  nlohmann::json report = nlohmann::json::parse(without_bare_non_finite(benchmark_json));
  report["context"].update(extra_context);
  // A run is verified when every repetition checked its result; aggregates inherit that.
  std::map<std::string, bool> run_verified;
  for (const auto& entry : report["benchmarks"])
    if (entry.value("run_type", "") == "iteration") {
      const bool ok = !entry.value("error_occurred", false) && entry.value("verified", 0.0) == 1.0;
      auto [it, fresh] = run_verified.emplace(entry.value("run_name", ""), ok);
      if (!fresh) it->second = it->second && ok;
    }
  // A run's notes go on its entries; its timeline and idle times (those of its last job) on
  // the last repetition's entry only.
  std::map<std::string, std::size_t> last_repetition;
  for (std::size_t i = 0; i < report["benchmarks"].size(); ++i)
    if (report["benchmarks"][i].value("run_type", "") == "iteration")
      last_repetition[report["benchmarks"][i].value("run_name", "")] = i;
  for (std::size_t i = 0; i < report["benchmarks"].size(); ++i) {
    auto& entry = report["benchmarks"][i];
    const std::string run_name = entry.value("run_name", entry.value("name", ""));
    const auto* e = registry.find(run_name);
    if (e != nullptr) {
      entry["params"] = e->params;
      if (const nlohmann::json* note = registry.note_for(e->name))
        for (const auto& [key, value] : note->items())
          if ((key != "timeline" && key != "idle") || last_repetition[run_name] == i)
            entry[key] = value;
    }
    const auto it = run_verified.find(run_name);
    entry["verified"] =
        !entry.value("error_occurred", false) && it != run_verified.end() && it->second;
  }
  add_derived_figures(report);
  return report;
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
std::map<std::string, double> serial_times(const nlohmann::json& benchmarks) {
  std::map<std::string, double> median, sum;
  std::map<std::string, int> count;
  for (const auto& entry : benchmarks) {
    if (!entry.contains("params") || entry["params"].value("backend", "") != "serial" ||
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
  return median;
}

}  // namespace

void add_derived_figures(nlohmann::json& report) {
  const double read_bandwidth = report["context"].value("read_bandwidth", 0.0);
  const auto serial = serial_times(report["benchmarks"]);
  for (auto& entry : report["benchmarks"]) {
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

void write_atomically(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  auto fail = [&](const std::string& why) {
    throw std::runtime_error("cannot write report " + path + ": " + why);
  };
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  if (ec) fail(ec.message());
  const std::string temp = path + ".tmp." + std::to_string(getpid());
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) fail(std::strerror(errno));
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      close(fd);
      unlink(temp.c_str());
      fail(why);
    }
    written += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(temp.c_str());
    fail(std::strerror(errno));
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    unlink(temp.c_str());
    fail(why);
  }
}

}  // namespace parbench
