// A backend defined in this file alone, registered at run time, whose workers live in another
// process: "remote_toy" starts one server per started backend, a copy of this program that its
// first argument tells to serve (BackendInfo::serve), sends it the work's kernel spec once,
// outside timing, and then each job as {pass, policy, workers}. The server makes the work from
// the spec and runs each job's pieces on `workers` threads of its own, new in every job, and
// replies with the total, the CPUs its workers were seen on and, for a task set, each task's
// record on CLOCK_MONOTONIC (which the two processes share). That is the shape of a backend
// whose server is another program (a Python script). This program is parbench with
// remote_toy added; the tests in tests/CMakeLists.txt run it and read its report with
// parbench-compare, the Python loader and plots/plot. Nothing else in parbench names it.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backends/backend.hpp"
#include "backends/server_process.hpp"
#include "cli/run.hpp"
#include "kernels/partition.hpp"
#include "kernels/spec.hpp"
#include "kernels/tasks.hpp"

namespace {

using namespace parbench;
using nlohmann::json;

constexpr const char* kServeArgument = "--remote-toy-server";  // its server's first argument
double g_job_timeout = RunSettings{}.job_timeout;              // the run's (configure)

// Its two splits, as its policies name them.
enum class Cut { blocks, stripes };

ServerCommand server_command() {
  return {"remote_toy server", "/proc/self/exe", {kServeArgument}};
}

// The server's side: one work, made from the spec it was sent, and its jobs.
class ToyServer {
 public:
  json answer(const json& request) {
    const std::string kind = request.at("kind");
    if (kind == "spec") return make(request.at("spec"));
    if (kind == "job") return run(request);
    if (kind == "ping") return {{"workers", request.at("workers")}};
    return {{"error", "no request of kind '" + kind + "'"}};
  }

 private:
  json make(const json& spec) {
    work_ = make_work(spec_from_json(spec));
    tasks_ = dynamic_cast<TaskWork*>(work_.get());
    // Its own copy of a sum's array, made here once: the driving process makes its own.
    if (work_->has_data()) work_->prepare_serially();
    return {{"items", work_->items()}};
  }

  json run(const json& job) {
    if (!work_) return {{"error", "a job came before the work's spec"}};
    const Pass pass = job.at("pass") == "prepare" ? Pass::prepare : Pass::compute;
    const Cut cut = job.at("cut") == "stripes" ? Cut::stripes : Cut::blocks;
    const unsigned workers = job.at("workers");
    if (tasks_ != nullptr) {
      tasks_->begin_job();
      ++jobs_;
    }
    std::vector<std::uint64_t> partial(workers, 0);
    {
      std::vector<std::jthread> threads;
      for (unsigned w = 0; w < workers; ++w)
        threads.emplace_back([&, w] { partial[w] = run_piece(cut, pass, w, workers); });
    }
    std::uint64_t total = 0;
    for (const std::uint64_t p : partial) total += p;
    json reply = {{"total", total}, {"cpus", work_->cpus_seen(workers)}};
    if (tasks_ != nullptr) reply["records"] = records_of_job();
    return reply;
  }

  std::uint64_t run_piece(Cut cut, Pass pass, unsigned w, unsigned workers) {
    const std::size_t n = work_->items();
    if (cut == Cut::stripes) return w < n ? work_->apply(pass, w, w, n, workers) : 0;
    const Range r = block_range(n, workers, w);
    return r.size() == 0 ? 0 : work_->apply(pass, w, r.begin, r.end, 1);
  }

  // [task, worker, start, end] of each task this job ran, in seconds on CLOCK_MONOTONIC.
  json records_of_job() const {
    json records = json::array();
    const double start = tasks_->job_start();
    for (std::size_t t = 0; t < tasks_->durations().size(); ++t) {
      const TaskRecord& r = tasks_->record(t);
      if (r.job.load() == jobs_) records.push_back({t, r.worker, start + r.start, start + r.end});
    }
    return records;
  }

  std::unique_ptr<Work> work_;
  TaskWork* tasks_ = nullptr;
  std::uint64_t jobs_ = 0;
};

// The server's life: requests until the driving process closes the channel.
int serve_jobs() {
  ServerChannel channel;
  ToyServer server;
  try {
    while (const std::optional<json> request = channel.receive()) {
      json reply;
      try {
        reply = server.answer(*request);
      } catch (const std::exception& e) {
        reply = {{"error", e.what()}};
      }
      channel.send(reply);
    }
  } catch (const std::exception& e) {  // a garbled request, or the driving process is gone
    std::fprintf(stderr, "remote_toy server: %s\n", e.what());
    return 2;
  }
  return 0;
}

std::optional<int> serve(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) != kServeArgument) return std::nullopt;
  return serve_jobs();
}

// The driving process's side: a server per started backend, a request per job.
class RemoteToyBackend final : public Backend {
 public:
  unsigned start(Work& work, unsigned workers) override {
    work_ = &work;
    tasks_ = dynamic_cast<TaskWork*>(&work);
    workers_ = workers;
    KernelSpec spec;
    if (!work.describe(spec)) throw WorkerFailure("remote_toy: this work has no spec to send");
    server_ = std::make_unique<ServerProcess>(server_command(), g_job_timeout);
    server_->call({{"kind", "spec"}, {"spec", to_json(spec)}});
    return workers;
  }

  double children_cpu_seconds() const override { return server_ ? server_->cpu_seconds() : 0; }

 protected:
  Work& work() const override { return *work_; }

  std::uint64_t run_pass(const Policy& policy, Pass pass) override {
    const json reply =
        server_->call({{"kind", "job"},
                       {"pass", pass == Pass::prepare ? "prepare" : "compute"},
                       {"cut", policy.how<Cut>() == Cut::stripes ? "stripes" : "blocks"},
                       {"workers", workers_}});
    try {
      take_cpus(reply.at("cpus"));
      if (tasks_ != nullptr) take_records(reply.at("records"));
      return reply.at("total").get<std::uint64_t>();
    } catch (const json::exception& e) {
      throw WorkerFailure("remote_toy server: a reply unlike a job's: " + std::string(e.what()));
    }
  }

  std::optional<std::string> why_workers_cannot_prepare() const override {
    return "the remote_toy server makes its own copy of the work from its spec; the array in "
           "this process, which the other backends read, is made by the calling thread";
  }

 private:
  void take_cpus(const json& cpus) {
    for (unsigned w = 0; w < workers_ && w < cpus.size(); ++w)
      if (const int cpu = cpus[w]; cpu >= 0) work_->record_cpu_seen(w, cpu);
  }

  // Placed on this job's clock: the server's CLOCK_MONOTONIC is this process's.
  void take_records(const json& records) {
    const double start = tasks_->job_start();
    for (const json& r : records) {
      const std::size_t task = r.at(0);
      const unsigned worker = r.at(1);
      if (task >= tasks_->durations().size() || worker >= workers_)
        throw WorkerFailure("remote_toy server: a record of task " + std::to_string(task) +
                            " by worker " + std::to_string(worker) + ", which do not exist");
      tasks_->record_ran_elsewhere(task, worker, r.at(2).get<double>() - start,
                                   r.at(3).get<double>() - start);
    }
  }

  Work* work_ = nullptr;
  TaskWork* tasks_ = nullptr;
  unsigned workers_ = 0;
  std::unique_ptr<ServerProcess> server_;
};

// An empty round trip to a server: one request through the channel, one reply, no work.
DispatchFloor round_trip_floor() {
  DispatchFloor floor;
  floor.launch = "server";
  floor.what = "one empty request to the server process and its reply, through its socket";
  floor.start = [](unsigned workers) {
    auto server = std::make_shared<ServerProcess>(server_command(), g_job_timeout);
    return std::function<std::uint64_t()>([server, workers] {
      return server->call({{"kind", "ping"}, {"workers", workers}})
          .at("workers")
          .get<std::uint64_t>();
    });
  };
  return floor;
}

// A server started and ended: fork, exec of this program, one round trip, its exit, reaped.
LaunchProbe start_stop_probe() {
  LaunchProbe probe;
  probe.what = "start_stop";
  probe.launch = "server";
  probe.prepare = [] {
    return std::function<std::optional<std::string>()>([]() -> std::optional<std::string> {
      try {
        ServerProcess server(server_command(), g_job_timeout);
        server.call({{"kind", "ping"}, {"workers", 1}});
        return server.stop();
      } catch (const WorkerFailure& e) {
        return e.what();
      }
    });
  };
  return probe;
}

BackendInfo remote_toy_backend_info() {
  const std::vector<PolicyName> policies = {{"blocks", Split::block, false, false, Cut::blocks},
                                            {"stripes", Split::cyclic, false, false, Cut::stripes}};
  BackendInfo toy;
  toy.name = "remote_toy";
  toy.launches = {"server"};
  toy.sum_policies = policies;
  toy.task_policies = policies;
  toy.create = [](const std::string&) -> std::unique_ptr<Backend> {
    return std::make_unique<RemoteToyBackend>();
  };
  toy.reports_children_cpu = true;   // the server's CPU time is not this process's
  toy.timed_starts = {"server"};     // every start() starts a server
  toy.workers_per_job = {"server"};  // the server's threads are new in every job
  toy.launch_probes = [] { return std::vector<LaunchProbe>{start_stop_probe()}; };
  toy.dispatch_floor = round_trip_floor();
  toy.serve = serve;
  toy.configure = [](const RunSettings& settings) { g_job_timeout = settings.job_timeout; };
  return toy;
}

}  // namespace

int main(int argc, char** argv) {
  parbench::register_backend(remote_toy_backend_info());
  return parbench::run_parbench(argc, argv);
}
