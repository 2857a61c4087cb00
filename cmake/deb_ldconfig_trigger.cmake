# CPACK_POST_BUILD_SCRIPTS (cmake/packaging_lib.cmake): CPack gives every package with a shared
# library in /usr/lib a postinst and postrm that call ldconfig, which Debian replaced by the
# ldconfig trigger (lintian: maintscript-calls-ldconfig). libtrustscan1 ships that trigger, so its
# two generated scripts are taken out of the built package here (dpkg-deb -R, then -b again).
foreach(deb IN LISTS CPACK_PACKAGE_FILES)
  if(NOT deb MATCHES "/libtrustscan[0-9]+_[^/]*\\.deb$")
    continue()
  endif()
  set(tree "${deb}.tree")
  file(REMOVE_RECURSE "${tree}")
  execute_process(COMMAND dpkg-deb -R "${deb}" "${tree}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "dpkg-deb -R ${deb} failed")
  endif()
  file(READ "${tree}/DEBIAN/triggers" triggers)
  if(NOT triggers MATCHES "activate-noawait ldconfig")
    message(FATAL_ERROR "${deb} has no ldconfig trigger: its ldconfig scripts stay")
  endif()
  foreach(script postinst postrm)
    if(EXISTS "${tree}/DEBIAN/${script}")
      file(READ "${tree}/DEBIAN/${script}" text)
      # What CPack writes: a shebang, set -e, if [ "$1" = "configure" ]; then ldconfig; fi.
      string(REGEX REPLACE "[ \t]*(#[^\n]*|set -e|if \\[ \"\\$1\" = \"[a-z]+\" \\]; then|ldconfig|fi)?[ \t]*\n" ""
             rest "${text}")
      if(NOT rest STREQUAL "")
        message(FATAL_ERROR "${deb}: ${script} does more than call ldconfig: ${text}")
      endif()
      file(REMOVE "${tree}/DEBIAN/${script}")
    endif()
  endforeach()
  execute_process(COMMAND dpkg-deb --root-owner-group -Zgzip -b "${tree}" "${deb}"
                  RESULT_VARIABLE rc OUTPUT_QUIET)
  file(REMOVE_RECURSE "${tree}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "dpkg-deb -b ${deb} failed")
  endif()
endforeach()
