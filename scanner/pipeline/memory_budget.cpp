#include "pipeline/memory_budget.hpp"

#include <malloc.h>

#include <cstdlib>

namespace trustscan::pipeline {

void use_one_malloc_arena() noexcept {
  if (std::getenv("MALLOC_ARENA_MAX") || std::getenv("GLIBC_TUNABLES")) return;
  (void)mallopt(M_ARENA_MAX, 1);
}

}  // namespace trustscan::pipeline
