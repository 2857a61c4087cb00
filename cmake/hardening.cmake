# TRUSTSCAN_HARDENING=ON: compile and link every target with Debian's hardening flags, as a Debian
# package build would (debhelper passes them through dpkg-buildflags). trustscan parses hostile
# input, and the .deb (cpack, cmake/packaging.cmake) is made from this build tree, so the packaged
# binary carries them: lintian's hardening tags and `hardening-check` (tests/packaging) hold.
#
# The flags are not written here: they are what `dpkg-buildflags` adds with
# DEB_BUILD_MAINT_OPTIONS=hardening=+all over hardening=-all (on Debian 12 amd64: _FORTIFY_SOURCE,
# -fstack-protector-strong, -Wformat -Werror=format-security, -z relro, -z now; PIE is the
# compiler's default there). Optimisation and debug flags stay the build type's.
#
# On by default for optimised builds without sanitizers (FORTIFY_SOURCE needs optimisation and
# gets in ASan's way); an error when asked for and dpkg-buildflags (dpkg-dev) is missing.
set(_trustscan_hardening_default OFF)
if(CMAKE_BUILD_TYPE MATCHES "^(Release|RelWithDebInfo|MinSizeRel)$" AND NOT TRUSTSCAN_SANITIZE AND NOT TRUSTSCAN_FUZZ)
  set(_trustscan_hardening_default ON)
endif()
option(TRUSTSCAN_HARDENING "Build with the hardening flags of dpkg-buildflags (hardening=+all)"
       ${_trustscan_hardening_default})

# _trustscan_buildflags(VAR FLAGS OPTIONS): `dpkg-buildflags --get VAR` with
# DEB_BUILD_MAINT_OPTIONS=OPTIONS, as a list in FLAGS.
function(_trustscan_buildflags var flags options)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env DEB_BUILD_MAINT_OPTIONS=${options}
                          ${TRUSTSCAN_DPKG_BUILDFLAGS} --get ${var}
                  OUTPUT_VARIABLE out RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "dpkg-buildflags --get ${var} failed (${rc}): ${err}")
  endif()
  separate_arguments(out UNIX_COMMAND "${out}")
  set(${flags} ${out} PARENT_SCOPE)
endfunction()

# _trustscan_hardening_flags(VAR FLAGS): the flags of VAR that hardening=+all adds over
# hardening=-all, in dpkg-buildflags' order.
function(_trustscan_hardening_flags var flags)
  _trustscan_buildflags(${var} with "hardening=+all")
  _trustscan_buildflags(${var} without "hardening=-all")
  list(REMOVE_ITEM with ${without})
  set(${flags} ${with} PARENT_SCOPE)
endfunction()

if(TRUSTSCAN_HARDENING)
  find_program(TRUSTSCAN_DPKG_BUILDFLAGS dpkg-buildflags)
  if(NOT TRUSTSCAN_DPKG_BUILDFLAGS)
    message(FATAL_ERROR "TRUSTSCAN_HARDENING=ON needs dpkg-buildflags (apt-get install dpkg-dev), "
                        "or configure with -DTRUSTSCAN_HARDENING=OFF")
  endif()
  _trustscan_hardening_flags(CPPFLAGS _cppflags)
  _trustscan_hardening_flags(CXXFLAGS _cxxflags)
  _trustscan_hardening_flags(LDFLAGS _ldflags)
  if(NOT _cppflags AND NOT _cxxflags AND NOT _ldflags)
    message(FATAL_ERROR "dpkg-buildflags gave no hardening flags")
  endif()
  list(JOIN _cppflags " " _shown_cpp)
  list(JOIN _cxxflags " " _shown_cxx)
  list(JOIN _ldflags " " _shown_ld)
  message(STATUS "Hardening (dpkg-buildflags): ${_shown_cpp} ${_shown_cxx} ${_shown_ld}")
  add_compile_options(${_cppflags} ${_cxxflags})
  add_link_options(${_ldflags})
endif()
