# TRUSTSCAN_SANITIZE=ON: AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer on
# every target of the project (g++ or clang). Any UB report aborts the program
# (-fno-sanitize-recover), so a sanitizer finding fails the test that triggered it.
#
# Third-party libraries (LIEF 0.9, libyara, OpenSSL, libyaml) come from Debian and are not
# instrumented: ASan still sees their heap through its malloc interceptors. Leaks that belong to
# them are suppressed one by one in tools/lsan.supp (each entry with its evidence); the tests get
# that file through TRUSTSCAN_SANITIZER_ENV below.
option(TRUSTSCAN_SANITIZE "Build with ASan+UBSan" OFF)

if(TRUSTSCAN_SANITIZE)
  set(_trustscan_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer)
  add_compile_options(${_trustscan_sanitize_flags} -g)
  add_link_options(${_trustscan_sanitize_flags})
  # g++ 12's flow analysis on ASan-instrumented code reports -Wmaybe-uninitialized inside
  # libstdc++'s own <regex> (std::function moved in _NFA::_M_insert_subexpr_begin, used by
  # config/reader.cpp); the same code is clean without instrumentation, where the warning stays on.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
endif()

# Environment for every test (and documented for manual runs in docs/fuzzing.md): full stacks,
# abort with a core-free non-zero exit on the first error, the leak suppressions, and UBSan
# stack traces.
set(TRUSTSCAN_SANITIZER_ENV
    "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:disable_coredump=1:check_initialization_order=1:strict_init_order=1"
    "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tools/lsan.supp:print_suppressions=0"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")

# Adds TRUSTSCAN_SANITIZER_ENV to the environment of every test of the current directory.
function(trustscan_sanitizer_test_environment)
  if(NOT TRUSTSCAN_SANITIZE)
    return()
  endif()
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(t IN LISTS tests)
    set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT ${TRUSTSCAN_SANITIZER_ENV})
  endforeach()
endfunction()
