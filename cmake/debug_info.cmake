# Debug information of an optimised build with it (RelWithDebInfo, the default build type): line
# tables (-g1) unless TRUSTSCAN_FULL_DEBUG_INFO=ON. With line tables, backtraces (gdb, the
# sanitizers), perf and valgrind name the function, file and line of every frame, inlined frames
# too (g++ 12 emits the inlined subroutines at -g1); gdb cannot show local variables or types.
# Full DWARF (-g) made each file's compile 30-45 % slower (2026-12-06, g++ 12, -O2: 10.3 -> 13.6 s,
# 15.2 -> 21.9 s, 12.2 -> 16.6 s for three test files), and the build is most of the test
# command's time on a fresh machine.
#
# Kept at -g whatever the option: the C API's own files (scanner/capi), whose types abidiff reads
# from the library's DWARF (tools/abi_baseline.sh, test capi_abi), and sanitizer builds
# (cmake/sanitizers.cmake adds -g after the build type's flags).
option(TRUSTSCAN_FULL_DEBUG_INFO "Full debug information (-g) in RelWithDebInfo builds, not line tables (-g1)" OFF)

if(NOT TRUSTSCAN_FULL_DEBUG_INFO)
  # The variable shadows the cache entry CMake fills with "-O2 -g -DNDEBUG"; a -g set on the
  # command line (-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=...) is lowered the same way.
  string(REGEX REPLACE "(^| )-g( |$)" "\\1-g1\\2" CMAKE_CXX_FLAGS_RELWITHDEBINFO "${CMAKE_CXX_FLAGS_RELWITHDEBINFO}")
endif()

# trustscan_full_debug_info(TARGET): -g for TARGET's files in every build that has debug information.
function(trustscan_full_debug_info target)
  target_compile_options(${target} PRIVATE $<$<CONFIG:RelWithDebInfo,Debug>:-g>)
endfunction()
