#pragma once
// The tags of the mpi backend's point-to-point messages, in one list: a rank tells what it
// receives apart by tag alone, so no two kinds of message may share one.
namespace parbench::mpi {

enum Tag : int {
  order_tag = 1,  // an Order (orders.hpp)
  spec_tag,       // a session's kernel spec, as JSON
  records_tag,    // a job's task records
  request_tag,    // a master deal: a rank asks rank 0 for its next piece (on the team)
  reply_tag,      // a master deal: rank 0's answer (on the team)
  clock_tag,      // the clock ping-pong (clock_sync.hpp)
  info_tag,       // a rank's description for the report (ranks.hpp)
  // Rank 0 lost a rank: every serving rank leaves at once, without MPI_Finalize (which would
  // wait for the lost one), from whatever it waits in, a job's collective included.
  leave_tag
};

}  // namespace parbench::mpi
