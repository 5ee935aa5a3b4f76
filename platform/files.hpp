#pragma once
// Files that are never seen half-written.
#include <string>

namespace parbench {

// Writes to a temporary file beside `path`, then renames it: a reader never sees half a report,
// and a file already at `path` stays as it was unless the whole new one is written. Creates
// missing folders. Throws std::runtime_error naming the path and the reason.
void write_atomically(const std::string& path, const std::string& text);

// The temporary file write_atomically is writing or wrote last ("" before the first), for a
// signal handler that must remove it: safe to read from one.
const char* temporary_file_being_written();

}  // namespace parbench
