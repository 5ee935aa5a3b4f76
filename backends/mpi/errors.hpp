#pragma once
// MPI's errors, as text for a message and as an exception where a failed call leaves nothing
// to go on with. Each communicator of the backend returns its errors as codes
// (MPI_ERRORS_RETURN), so that a lost rank is a benchmark's error and not the process's end.
#include <string>

namespace parbench::mpi {

// Open MPI's text for an error code.
std::string mpi_error_text(int code);

// Throws std::runtime_error naming `what` when `code` is not MPI_SUCCESS: for the calls at
// set-up, without which the run cannot be what was asked.
void throw_if_failed(int code, const char* what);

}  // namespace parbench::mpi
