#pragma once
// Runs a program and captures its exit status, stdout and stderr: for tests of the command line.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char** environ;

namespace parbench::testing {

struct Outcome {
  int status = -1;  // exit status, or 128 + signal
  std::string out;
  std::string err;
};

inline std::string slurp(int fd) {
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  close(fd);
  return text;
}

inline Outcome run_program(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // Files, not pipes: the child may write a lot while we wait.
  char out_name[] = "/tmp/parbench-test-out-XXXXXX";
  char err_name[] = "/tmp/parbench-test-err-XXXXXX";
  const int out_fd = mkstemp(out_name);
  const int err_fd = mkstemp(err_name);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  Outcome o;
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  posix_spawn_file_actions_destroy(&actions);
  lseek(out_fd, 0, SEEK_SET);
  lseek(err_fd, 0, SEEK_SET);
  o.out = slurp(out_fd);
  o.err = slurp(err_fd);
  unlink(out_name);
  unlink(err_name);
  return o;
}

}  // namespace parbench::testing

namespace parbench::testing {

// A program started in the background, its output going to files, so that a test can signal
// it while it runs.
class Started {
 public:
  explicit Started(const std::vector<std::string>& args,
                   const std::vector<std::string>& extra_env = {}) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<std::string> env_text(extra_env);
    for (char** e = environ; *e != nullptr; ++e) env_text.push_back(*e);
    std::vector<char*> envp;
    for (auto& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);
    out_fd_ = mkstemp(out_name_);
    err_fd_ = mkstemp(err_name_);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_fd_, 1);
    posix_spawn_file_actions_adddup2(&actions, err_fd_, 2);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Started() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    unlink(out_name_);
    unlink(err_name_);
  }
  pid_t pid() const { return pid_; }
  // What it has written to stderr so far.
  std::string err_so_far() const {
    int fd = open(err_name_, O_RDONLY);
    return fd < 0 ? "" : slurp(fd);
  }
  Outcome wait() {
    Outcome o;
    int status = 0;
    if (pid_ > 0 && waitpid(pid_, &status, 0) == pid_)
      o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    pid_ = -1;
    lseek(out_fd_, 0, SEEK_SET);
    lseek(err_fd_, 0, SEEK_SET);
    o.out = slurp(out_fd_);
    o.err = slurp(err_fd_);
    return o;
  }

 private:
  pid_t pid_ = -1;
  char out_name_[64] = "/tmp/parbench-test-out-XXXXXX";
  char err_name_[64] = "/tmp/parbench-test-err-XXXXXX";
  int out_fd_ = -1;
  int err_fd_ = -1;
};

}  // namespace parbench::testing
