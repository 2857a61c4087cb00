# Writes the Velociraptor artifact pinned to a built .deb (issue 19): the template
# tools/integrations/velociraptor/Custom.Trustscan.Scan.yaml.in with the .deb's name, version and
# SHA-256 (the tool's expected_hash) filled in, as Custom.Trustscan.Scan.yaml.
#
#   As a CPack post-build script (cmake/packaging.cmake): by `cpack -G DEB`, beside the .deb.
#   By hand:  cmake -DDEB=trustscan_<version>_<arch>.deb [-DURL=https://.../the.deb] [-DOUT=FILE]
#                   -P cmake/velociraptor_artifact.cmake
#
# URL (CPack: TRUSTSCAN_VELOCIRAPTOR_TOOL_URL) is where the Velociraptor server downloads the .deb
# from, checking it against expected_hash; without one the administrator uploads the .deb.
cmake_minimum_required(VERSION 3.19)

if(DEFINED CPACK_PACKAGE_FILES)  # CPack post-build: the packages it has just written
  set(debs "")
  foreach(file IN LISTS CPACK_PACKAGE_FILES)
    get_filename_component(name "${file}" NAME)
    if(name MATCHES "^trustscan_[^_]+_[^_]+\\.deb$")
      list(APPEND debs "${file}")
    endif()
  endforeach()
  list(LENGTH debs count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "velociraptor_artifact.cmake: expected one trustscan_<version>_<arch>.deb among "
                        "'${CPACK_PACKAGE_FILES}', found ${count}")
  endif()
  set(DEB "${debs}")  # still in CPack's staging directory: the one it is copied from, byte for byte
  set(TEMPLATE "${CPACK_TRUSTSCAN_VELOCIRAPTOR_TEMPLATE}")
  set(URL "${CPACK_TRUSTSCAN_VELOCIRAPTOR_URL}")
  set(OUT "${CPACK_PACKAGE_DIRECTORY}/Custom.Trustscan.Scan.yaml")  # beside the .deb (cpack -B DIR)
endif()

if(NOT DEB OR NOT EXISTS "${DEB}")
  message(FATAL_ERROR "velociraptor_artifact.cmake: -DDEB=<the built trustscan .deb> is required ('${DEB}')")
endif()
if(NOT TEMPLATE)
  set(TEMPLATE "${CMAKE_CURRENT_LIST_DIR}/../tools/integrations/velociraptor/Custom.Trustscan.Scan.yaml.in")
endif()
get_filename_component(TRUSTSCAN_DEB_NAME "${DEB}" NAME)
if(NOT TRUSTSCAN_DEB_NAME MATCHES "^trustscan_([^_]+)_[^_]+\\.deb$")
  message(FATAL_ERROR "velociraptor_artifact.cmake: ${TRUSTSCAN_DEB_NAME} is not named trustscan_<version>_<arch>.deb")
endif()
set(TRUSTSCAN_VERSION "${CMAKE_MATCH_1}")
file(SHA256 "${DEB}" TRUSTSCAN_DEB_SHA256)
if(URL)
  if(NOT URL MATCHES "^https?://[^ \"'#]+$")
    message(FATAL_ERROR "velociraptor_artifact.cmake: URL '${URL}' is not an http(s) URL")
  endif()
endif()
set(TRUSTSCAN_TOOL_URL "${URL}")  # "": no download by the server
if(NOT OUT)
  get_filename_component(dir "${DEB}" DIRECTORY)
  set(OUT "${dir}/Custom.Trustscan.Scan.yaml")
endif()
configure_file("${TEMPLATE}" "${OUT}" @ONLY)
message(STATUS "Velociraptor artifact: ${OUT} (tool ${TRUSTSCAN_DEB_NAME}, sha256 ${TRUSTSCAN_DEB_SHA256})")
