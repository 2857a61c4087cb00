// The CLI's global operator new (C++ [replacement.functions]): the default one's behaviour
// (malloc, the new-handler, std::bad_alloc), and a block large enough to be a mapping of its own
// asked for in huge pages before it is first written (pipeline::huge_pages_for_block). Linked
// into the trustscan program only: libtrustscan leaves the operator new of the program that
// loads it alone. The default operator delete (free) matches it.
#include <cstdlib>
#include <new>

#include "pipeline/memory_budget.hpp"

void* operator new(std::size_t size) {
  for (;;) {
    if (void* block = std::malloc(size == 0 ? 1 : size)) {
      trustscan::pipeline::huge_pages_for_block(block, size);
      return block;
    }
    const std::new_handler handler = std::get_new_handler();
    if (!handler) throw std::bad_alloc();
    handler();
  }
}
