# Warnings for the project's own targets. Third-party headers are system includes, so they stay quiet.
# (-Wnull-dereference is left out: with g++ 12 at -O2 it fires inside libstdc++ stream code.)
add_library(trustscan_warnings INTERFACE)
target_compile_options(trustscan_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(TRUSTSCAN_WERROR)
  target_compile_options(trustscan_warnings INTERFACE -Werror)
endif()
