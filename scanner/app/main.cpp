#include <csignal>
#include <cstdlib>
#include <iostream>

#include "app/cli.hpp"
#include "pipeline/worker_pool.hpp"

/// jemalloc's settings, read at its start (jemalloc(3), "TUNING"; MALLOC_CONF, read after them,
/// can change them): one arena, as glibc had. An arena keeps the pages its threads last freed,
/// so with one per worker each held the last large binary it read (four 6 MiB binaries on two
/// threads peaked 18 MB above one: tests/cli/rescan_test.sh, memory_large_binaries); the
/// per-thread caches in front of the one arena still serve most calls without its lock.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "narenas:1";
}

int main(int argc, char** argv) {
  // A closed output pipe must be an error with a message (EPIPE), not a silent death by SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  // The process's malloc is jemalloc (linked into this program only: scanner/CMakeLists.txt),
  // never chosen by the library's engine, which keeps the malloc of the program that loads
  // libtrustscan. glibc's malloc was tried both ways (docs/performance.md, "Issue 21, fourth
  // round"): an arena per thread kept each worker's largest binary (a Debian /usr: 370-420 MB
  // peak against 270 MB), one arena made the workers queue for its lock wherever they allocate
  // (a cached re-scan's record decoding, kernel modules' parsing: 22 % of a re-scan's time).
  // jemalloc's per-thread caches need no lock for most calls (malloc_conf above).
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
