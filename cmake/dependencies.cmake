# Every dependency comes from a Debian 12 package (tools/setup.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)                 # libssl-dev
find_package(nlohmann_json 3.10 REQUIRED)        # nlohmann-json3-dev
find_package(CLI11 REQUIRED)                     # libcli11-dev
pkg_check_modules(LZMA REQUIRED IMPORTED_TARGET liblzma)   # liblzma-dev
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)   # libzstd-dev
pkg_check_modules(YARA REQUIRED IMPORTED_TARGET yara)      # libyara-dev
pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib)      # zlib1g-dev (gzip kernel images)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)     # liblz4-dev (lz4 kernel images)
pkg_check_modules(LIBYAML REQUIRED IMPORTED_TARGET yaml-0.1) # libyaml-dev (vendor list, policy files, feeds)
pkg_check_modules(HIVEX REQUIRED IMPORTED_TARGET hivex)  # libhivex-dev
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3) # libsqlite3-dev (the --cache database)
pkg_check_modules(TSK REQUIRED IMPORTED_TARGET tsk)      # libtsk-dev (The Sleuth Kit 4.11: disk images)
pkg_check_modules(EWF REQUIRED IMPORTED_TARGET libewf)   # libewf-dev (an E01's stored media hashes)
pkg_check_modules(EXPAT REQUIRED IMPORTED_TARGET expat)  # libexpat1-dev (SiPolicy XML: driver block rules)
find_package(CURL 7.85 REQUIRED)                    # libcurl4-openssl-dev (trustscan data update; datasets/update.cpp only)
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc icu-i18n) # libicu-dev (ICU 72: NFKC, case folding, TR39 skeletons)

# libtsk, libewf and libcurl are loaded when first needed (core/shared_library.hpp), by the
# SONAME of the library found here; the Debian package depends on the package that holds it.
# TRUSTSCAN_LOADED_LIBRARY_DEFINITIONS: the compile definitions naming them;
# TRUSTSCAN_LOADED_LIBRARY_PACKAGES: those packages (cmake/packaging.cmake).
function(trustscan_loaded_library macro name)
  find_library(TRUSTSCAN_${macro}_FILE NAMES ${name} REQUIRED)
  execute_process(COMMAND ${CMAKE_OBJDUMP} -p "${TRUSTSCAN_${macro}_FILE}" OUTPUT_VARIABLE dump
                  RESULT_VARIABLE rc ERROR_QUIET)
  if(NOT rc EQUAL 0 OR NOT dump MATCHES "SONAME +([^\n ]+)")
    message(FATAL_ERROR "cannot read the SONAME of ${TRUSTSCAN_${macro}_FILE} (${CMAKE_OBJDUMP} -p)")
  endif()
  set(soname "${CMAKE_MATCH_1}")
  set(definitions ${TRUSTSCAN_LOADED_LIBRARY_DEFINITIONS} "TRUSTSCAN_${macro}_SONAME=\"${soname}\"")
  set(TRUSTSCAN_LOADED_LIBRARY_DEFINITIONS "${definitions}" PARENT_SCOPE)
  execute_process(COMMAND dpkg-query -S "*/${soname}" OUTPUT_VARIABLE owner RESULT_VARIABLE rc ERROR_QUIET)
  if(rc EQUAL 0 AND owner MATCHES "^([^:, ]+)")
    set(packages ${TRUSTSCAN_LOADED_LIBRARY_PACKAGES} "${CMAKE_MATCH_1}")
    set(TRUSTSCAN_LOADED_LIBRARY_PACKAGES "${packages}" PARENT_SCOPE)
  else()
    message(WARNING "no Debian package holds ${soname}: the .deb will not depend on it")
  endif()
endfunction()
trustscan_loaded_library(TSK tsk)
trustscan_loaded_library(EWF ewf)
trustscan_loaded_library(CURL curl)

# liblief-dev 0.9.0 ships neither a CMake config nor a pkg-config file.
find_path(LIEF_INCLUDE_DIR LIEF/LIEF.hpp REQUIRED)
find_library(LIEF_LIBRARY NAMES LIEF REQUIRED)
add_library(LIEF::LIEF UNKNOWN IMPORTED)
set_target_properties(LIEF::LIEF PROPERTIES
  IMPORTED_LOCATION "${LIEF_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${LIEF_INCLUDE_DIR}")
