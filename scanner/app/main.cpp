#include <csignal>
#include <cstdlib>
#include <iostream>

#include "app/cli.hpp"
#include "pipeline/memory_budget.hpp"
#include "pipeline/worker_pool.hpp"

int main(int argc, char** argv) {
  // A closed output pipe must be an error with a message (EPIPE), not a silent death by SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  // The process's malloc, set by the program that owns it (never by the library's engine: it
  // would change the malloc of every program that loads libtrustscan).
  trustscan::pipeline::use_malloc_arenas(trustscan::pipeline::MallocArenas::One);
  trustscan::pipeline::map_large_blocks();
  int rc = 2;
  try {
    rc = trustscan::app::run(argc, argv, std::cout, std::cerr);
  } catch (const std::exception& e) {  // last resort: a message, never std::terminate
    std::cerr << "trustscan: internal error: " << e.what() << '\n';
  }
  // A thread abandoned after --file-timeout may still be running: end without static destructors.
  if (trustscan::pipeline::abandoned_threads() > 0) {
    std::cout.flush();
    std::cerr.flush();
    std::_Exit(rc);
  }
  return rc;
}
