#pragma once
// Every worker process parbench has forked and not yet reaped, so that whoever must end the run
// early (a signal, a job past its timeout) can end them all: no child outlives a run.
#include <sys/types.h>

#include <cstddef>
#include <string>

namespace parbench {

// How a child ended, from its wait status: "killed by signal 9 (Killed)", "exited with status
// 3".
std::string how_it_ended(int status);

// Called by the parent right after fork().
void track_child(pid_t pid);

// Reaps a tracked child (waiting for it to end if `wait`) and forgets it; fills `status` as
// waitpid does. True once the child is gone: reaped here, or already by kill_tracked_children
// (then `status` says it was killed by SIGKILL); false while it runs (without `wait`).
bool reap_child(pid_t pid, int* status, bool wait);

// SIGKILLs a tracked child not reaped yet, with its process group when it leads one (a server
// and whatever it started); false, and nothing signalled, when it is not tracked any more (its
// id may already be another process's).
bool kill_child(pid_t pid);

// SIGKILLs every tracked child, with its process group when it leads one, and reaps it;
// returns how many there were. Safe to call from
// another thread while the forking thread waits for the same children: whichever reaps a child
// first does, the other is told it has no such child.
std::size_t kill_tracked_children();

}  // namespace parbench
