#include "backends/mpi/errors.hpp"

#include <mpi.h>

#include <stdexcept>

namespace parbench::mpi {

std::string mpi_error_text(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  return std::string(text, static_cast<std::size_t>(length));
}

void throw_if_failed(int code, const char* what) {
  if (code != MPI_SUCCESS)
    throw std::runtime_error(std::string(what) + ": " + mpi_error_text(code));
}

}  // namespace parbench::mpi
