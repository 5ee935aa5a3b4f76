#include "benchmarks/report.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <stdexcept>
#include <utility>

#include "benchmarks/supervisor.hpp"

namespace parbench {

namespace {

// The length of the UTF-8 sequence at text[i], or 0 if it is not one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b = byte(i);
  if (b < 0x80) return 1;
  std::size_t n = 0;
  unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    if (b == 0xE0) low = 0xA0;   // no overlong forms
    if (b == 0xED) high = 0x9F;  // no surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    if (b == 0xF0) low = 0x90;
    if (b == 0xF4) high = 0x8F;  // nothing past U+10FFFF
  } else {
    return 0;
  }
  if (i + n > text.size() || byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  return n;
}

// Each byte that starts no UTF-8 sequence becomes `prefix` and two hex digits.
std::string escape_stray_bytes(std::string_view text, std::string_view prefix) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (const std::size_t n = utf8_sequence_length(text, i); n > 0) {
      out.append(text, i, n);
      i += n;
      continue;
    }
    static const char digits[] = "0123456789ABCDEF";
    const auto b = static_cast<unsigned char>(text[i++]);
    out += prefix;
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

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

// Google Benchmark's JSON of `runs`; should it not parse, entries that say so, for the run
// must go on and every other benchmark be kept.
nlohmann::json entries_of(const std::vector<benchmark::BenchmarkReporter::Run>& runs,
                          const std::string& text) {
  try {
    return parse_benchmark_json(text);
  } catch (const std::exception& e) {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& run : runs)
      entries.push_back(
          {{"name", utf8_or_escaped(run.benchmark_name())},
           {"run_name", utf8_or_escaped(run.run_name.str())},
           {"run_type", run.run_type == benchmark::BenchmarkReporter::Run::RT_Aggregate
                            ? "aggregate"
                            : "iteration"},
           {"repetitions", run.repetitions},
           {"error_occurred", true},
           {"error_message",
            "parbench could not read Google Benchmark's output: " + utf8_or_escaped(e.what())}});
    return entries;
  }
}

}  // namespace

std::string utf8_or_escaped(std::string_view text) {
  return escape_stray_bytes(text, "\\x");
}

nlohmann::json parse_benchmark_json(const std::string& text) {
  // In JSON text a backslash is written twice: the string read back holds \xNN.
  return nlohmann::json::parse(escape_stray_bytes(without_bare_non_finite(text), "\\\\x"));
}

nlohmann::json google_benchmark_context() {
  std::ostringstream text;
  benchmark::JSONReporter json;
  json.SetOutputStream(&text);
  json.SetErrorStream(&text);
  json.ReportContext(benchmark::BenchmarkReporter::Context());
  return parse_benchmark_json(text.str() + "]}").at("context");
}

TeeReporter::TeeReporter(Progress* progress, bool table)
    : console_(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                                     : benchmark::ConsoleReporter::OO_Tabular),
      progress_(progress),
      table_(table) {
  json_.SetOutputStream(&json_text_);
  json_.SetErrorStream(&json_text_);
}

bool TeeReporter::ReportContext(const Context& context) {
  if (std::exchange(context_shown_, true)) return true;
  if (table_) {
    if (progress_ != nullptr) progress_->clear_line();
    console_.ReportContext(context);
    std::cout.flush();
  }
  return json_.ReportContext(context);
}

void TeeReporter::ReportRuns(const std::vector<Run>& runs) {
  if (table_) {
    if (progress_ != nullptr) progress_->clear_line();
    std::fflush(stderr);
    console_.ReportRuns(runs);
    std::cout.flush();
  }
  // Google Benchmark's own JSON of these runs: what its reporter writes for them, parsed.
  json_text_.str("");
  json_.ReportRuns(runs);
  std::string text = json_text_.str();
  if (text.rfind(",\n", 0) == 0) text.erase(0, 2);
  for (auto& entry : entries_of(runs, "[" + text + "]")) pending_.push_back(std::move(entry));
}

nlohmann::json TeeReporter::take_entries() {
  return std::exchange(pending_, nlohmann::json::array());
}

void TeeReporter::end() {
  if (progress_ != nullptr) progress_->end();
  if (table_) console_.Finalize();
  std::cout.flush();
}

FinishedBenchmark finish_benchmark(const std::string& name, nlohmann::json entries,
                                   const Registry& registry) {
  const Registry::Entry* e = registry.find(name);
  // A run is verified when every repetition checked its result; aggregates inherit that.
  bool verified = true;
  std::size_t last_repetition = 0;
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (entries[i].value("run_type", "") == "iteration") {
      verified = verified && !entries[i].value("error_occurred", false) &&
                 entries[i].value("verified", 0.0) == 1.0;
      last_repetition = i;
    }
  const nlohmann::json* note = e != nullptr ? registry.note_for(e->name) : nullptr;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto& entry = entries[i];
    if (e != nullptr) entry["params"] = e->params;
    // Notes go on every entry; the timeline and idle times (of the last job) on the last
    // repetition's only.
    if (note != nullptr)
      for (const auto& [key, value] : note->items())
        if ((key != "timeline" && key != "idle") || i == last_repetition) entry[key] = value;
    entry["verified"] = !entry.value("error_occurred", false) && verified;
  }
  return {name, std::move(entries)};
}

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
void add_serial_times(const nlohmann::json& benchmarks, std::map<std::string, double>& times) {
  std::map<std::string, double> median, sum;
  std::map<std::string, int> count;
  for (const auto& entry : benchmarks) {
    if (!entry.contains("params") || !is_reference_backend(entry["params"].value("backend", "")) ||
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

void add_derived_figures(nlohmann::json& report) {
  std::map<std::string, double> serial;
  add_serial_times(report["benchmarks"], serial);
  derive_figures(report["benchmarks"], serial, report["context"].value("read_bandwidth", 0.0));
}

const FinishedBenchmark& Results::add(FinishedBenchmark b) {
  std::lock_guard lock(lock_);
  add_serial_times(b.entries, serial_);
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
  add_serial_times(b.entries, serial_);
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
    add_serial_times(b.entries, serial);
    for (const auto& e : b.entries) all.push_back(e);
  }
  derive_figures(all, serial, read_bandwidth);
  return all;
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
  note_temporary_file(temp);
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
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
