#pragma once
// Where workers run. By default the OS decides; --pin makes the program decide, the same way
// for every backend: worker w goes to placement_order(pin)[w mod n].
#include <string>
#include <vector>

namespace parbench {

enum class Pin { none, compact, spread };

Pin parse_pin(const std::string& text);  // "none", "compact", "spread"
const char* to_string(Pin pin);

// The usable CPUs in the order workers are placed on them. compact: hardware threads of a core
// together, cores in order (neighbours share caches); spread: one thread per core first,
// alternating between packages, then the second threads.
std::vector<int> placement_order(Pin pin);

// CPU for worker w, or -1 for Pin::none.
int cpu_for_worker(Pin pin, unsigned worker);

// Pins the calling thread (or, in a forked child, the process) to one CPU; no-op for cpu < 0.
void pin_calling_thread(int cpu);

// The calling thread's affinity, to restore after pinning a thread that is not ours.
class SavedAffinity {
 public:
  SavedAffinity();
  ~SavedAffinity();
  SavedAffinity(const SavedAffinity&) = delete;
  SavedAffinity& operator=(const SavedAffinity&) = delete;

 private:
  std::vector<int> cpus_;
};

// The CPU the calling thread is on right now.
int current_cpu();

}  // namespace parbench
