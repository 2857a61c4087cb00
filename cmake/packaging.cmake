# Installation layout and the Debian package (docs/deployment.md).
#
#   <prefix>/bin/trustscan
#   <prefix>/share/trustscan/{rules,signatures}          found by the binary as <exe>/../share/trustscan
#   <prefix>/share/man/man1/trustscan.1.gz
#   <prefix>/share/bash-completion/completions/trustscan, <prefix>/share/zsh/vendor-completions/_trustscan
#   <prefix>/share/doc/trustscan/                        README.md, docs/*.md, docs/schema/*.json
#   <prefix>/lib/systemd/system/trustscan.{service,timer}
#   <sysconfdir>/default/trustscan                       /etc when the prefix is /usr, else <prefix>/etc
#   <sysconfdir>/zabbix/zabbix_agent2.d/trustscan.conf    the Zabbix agent 2 items (docs/monitoring.md)
#
# The unit files name the binary and the configuration file by absolute path. They are written
# at install time for the prefix actually installed to: `cmake --install build --prefix /opt/ts`
# gives ExecStart=/opt/ts/bin/trustscan, and the .deb (CPack installs with prefix /usr) gives
# /usr/bin/trustscan and /etc/default/trustscan, whatever prefix the build tree was configured with.

include(GNUInstallDirs)

set(TRUSTSCAN_SYSTEMD_UNITDIR "lib/systemd/system" CACHE STRING
    "systemd system unit directory, relative to the install prefix")
set(TRUSTSCAN_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)

# --- binary and data -----------------------------------------------------------------------------
install(TARGETS trustscan RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/rules ${PROJECT_SOURCE_DIR}/signatures
        DESTINATION ${CMAKE_INSTALL_DATADIR}/trustscan)

# --- man page and shell completions, with the output formats of the built binary ----------------
# docs/man/trustscan.1.in and packaging/completion/*.in get the list of formats from
# `trustscan __formats` (report/formats.cpp, the one list of formats): cmake/format_docs.cmake.
set(TRUSTSCAN_MAN_PAGE ${PROJECT_BINARY_DIR}/man/trustscan.1)
set(TRUSTSCAN_BASH_COMPLETION ${PROJECT_BINARY_DIR}/completion/trustscan.bash)
set(TRUSTSCAN_ZSH_COMPLETION ${PROJECT_BINARY_DIR}/completion/_trustscan)
add_custom_command(OUTPUT ${TRUSTSCAN_MAN_PAGE} ${TRUSTSCAN_BASH_COMPLETION} ${TRUSTSCAN_ZSH_COMPLETION}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man ${PROJECT_BINARY_DIR}/completion
  COMMAND ${CMAKE_COMMAND} -DTRUSTSCAN=$<TARGET_FILE:trustscan> -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
          -DOUTPUT_DIR=${PROJECT_BINARY_DIR} -P ${PROJECT_SOURCE_DIR}/cmake/format_docs.cmake
  DEPENDS trustscan ${PROJECT_SOURCE_DIR}/cmake/format_docs.cmake ${PROJECT_SOURCE_DIR}/docs/man/trustscan.1.in
          ${TRUSTSCAN_PACKAGING_DIR}/completion/trustscan.bash.in ${TRUSTSCAN_PACKAGING_DIR}/completion/_trustscan.in
  COMMENT "Filling the output formats into the man page and the completions"
  VERBATIM)
# gzip -n: reproducible, no name or time stamp in the archive.
find_program(TRUSTSCAN_GZIP gzip REQUIRED)
set(TRUSTSCAN_MAN_GZ ${PROJECT_BINARY_DIR}/man/man1/trustscan.1.gz)  # MANPATH=build/man works
add_custom_command(OUTPUT ${TRUSTSCAN_MAN_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man/man1
  COMMAND ${TRUSTSCAN_GZIP} -9n -c ${TRUSTSCAN_MAN_PAGE} > ${TRUSTSCAN_MAN_GZ}
  DEPENDS ${TRUSTSCAN_MAN_PAGE}
  COMMENT "Compressing trustscan.1"
  VERBATIM)
add_custom_target(trustscan_man ALL DEPENDS ${TRUSTSCAN_MAN_GZ} ${TRUSTSCAN_BASH_COMPLETION} ${TRUSTSCAN_ZSH_COMPLETION})
install(FILES ${TRUSTSCAN_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${TRUSTSCAN_BASH_COMPLETION}
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME trustscan)
install(FILES ${TRUSTSCAN_ZSH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)

# --- documentation -------------------------------------------------------------------------------
file(GLOB TRUSTSCAN_DOCS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${TRUSTSCAN_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Debian policy 12.5 and 12.7: the machine-readable copyright file and the changelog. The version
# is native (no Debian revision), so the Debian changelog is changelog.gz (lintian: no-changelog,
# wrong-name-for-changelog-of-native-package), compressed with gzip -9n like the man page.
set(TRUSTSCAN_CHANGELOG_GZ ${PROJECT_BINARY_DIR}/packaging/changelog.gz)
add_custom_command(OUTPUT ${TRUSTSCAN_CHANGELOG_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/packaging
  COMMAND ${TRUSTSCAN_GZIP} -9n -c ${TRUSTSCAN_PACKAGING_DIR}/debian/changelog > ${TRUSTSCAN_CHANGELOG_GZ}
  DEPENDS ${TRUSTSCAN_PACKAGING_DIR}/debian/changelog
  COMMENT "Compressing the Debian changelog"
  VERBATIM)
add_custom_target(trustscan_changelog ALL DEPENDS ${TRUSTSCAN_CHANGELOG_GZ})
install(FILES ${TRUSTSCAN_PACKAGING_DIR}/debian/copyright ${TRUSTSCAN_CHANGELOG_GZ} DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/schema DESTINATION ${CMAKE_INSTALL_DOCDIR})

# --- systemd units and /etc/default/trustscan, for the prefix installed to ----------------------
# packaging/systemd/*.{service,timer} are valid units for the Debian layout (/usr/bin/trustscan,
# /etc/default/trustscan); other prefixes get the two paths replaced.
install(CODE "
  set(_prefix \"\${CMAKE_INSTALL_PREFIX}\")
  if(_prefix STREQUAL \"/usr\")
    set(_sysconfdir \"/etc\")
  else()
    set(_sysconfdir \"\${_prefix}/${CMAKE_INSTALL_SYSCONFDIR}\")
  endif()
  # One staging directory per destination: parallel installs (tests, cpack) do not collide.
  string(MD5 _dest \"\$ENV{DESTDIR}\${_prefix}\")
  set(_stage \"${PROJECT_BINARY_DIR}/packaging-stage/\${_dest}\")
  file(MAKE_DIRECTORY \"\${_stage}\")
  foreach(_unit trustscan.service trustscan.timer)
    file(READ \"${TRUSTSCAN_PACKAGING_DIR}/systemd/\${_unit}\" _text)
    string(REPLACE \"/usr/bin/trustscan\" \"\${_prefix}/${CMAKE_INSTALL_BINDIR}/trustscan\" _text \"\${_text}\")
    string(REPLACE \"/etc/default/trustscan\" \"\${_sysconfdir}/default/trustscan\" _text \"\${_text}\")
    string(REPLACE \"/usr/share/doc/trustscan/\" \"\${_prefix}/${CMAKE_INSTALL_DOCDIR}/\" _text \"\${_text}\")
    file(WRITE \"\${_stage}/\${_unit}\" \"\${_text}\")
  endforeach()
  file(INSTALL \"\${_stage}/trustscan.service\" \"\${_stage}/trustscan.timer\"
       DESTINATION \"\${_prefix}/${TRUSTSCAN_SYSTEMD_UNITDIR}\"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  file(INSTALL \"${TRUSTSCAN_PACKAGING_DIR}/default/trustscan\"
       DESTINATION \"\${_sysconfdir}/default\"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  # Issue 19: the Zabbix agent 2 items (packaging/zabbix/trustscan.conf), where Debian's agent reads includes.
  file(READ \"${TRUSTSCAN_PACKAGING_DIR}/zabbix/trustscan.conf\" _text)
  string(REPLACE \"/usr/bin/trustscan\" \"\${_prefix}/${CMAKE_INSTALL_BINDIR}/trustscan\" _text \"\${_text}\")
  file(WRITE \"\${_stage}/trustscan.conf\" \"\${_text}\")
  file(INSTALL \"\${_stage}/trustscan.conf\" DESTINATION \"\${_sysconfdir}/zabbix/zabbix_agent2.d\"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  file(REMOVE_RECURSE \"\${_stage}\")
")

# --- Debian package: cpack -G DEB -> trustscan_<version>_amd64.deb -------------------------------
set(CPACK_PACKAGE_NAME trustscan)
set(CPACK_PACKAGE_VENDOR "trustscan maintainers")
set(CPACK_PACKAGE_CONTACT "trustscan maintainers <maintainers@users.noreply.h-seed-8c838969.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "reports kernel-privileged software by vendor and vendor country")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # the RelWithDebInfo binary is ~45 MB with its debug information
set(CPACK_GENERATOR DEB)
set(CPACK_SOURCE_GENERATOR "")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # trustscan_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)    # Depends from dpkg-shlibdeps (dpkg-dev)
# ... and the libraries loaded when first needed, which dpkg-shlibdeps cannot see (dependencies.cmake).
list(JOIN TRUSTSCAN_LOADED_LIBRARY_PACKAGES ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
# The long description only: CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY before it as the synopsis.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"trustscan walks a live host or a mounted offline disk image, parses every PE,
ELF and Mach-O executable and driver (including Linux kernel modules and
kexts) and reports what runs in the kernel or at boot: hashes, code signatures
verified offline (Authenticode, Linux module signatures, Mach-O), YARA rule
matches, the vendor with its evidence, the vendor's country and a policy
verdict. Output as a table, JSON, or NDJSON with Elastic Common Schema fields,
with exit codes for scheduled scans.
.
The package ships a daily systemd timer (disabled until enabled) that runs a
low-priority, read-only, network-less scan and writes its NDJSON report to
/var/log/trustscan/.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${TRUSTSCAN_PACKAGING_DIR}/debian/conffiles
    ${TRUSTSCAN_PACKAGING_DIR}/debian/postinst
    ${TRUSTSCAN_PACKAGING_DIR}/debian/prerm
    ${TRUSTSCAN_PACKAGING_DIR}/debian/postrm)
# The Velociraptor artifact pinned to the .deb just built (issue 19): after the package is written,
# cmake/velociraptor_artifact.cmake writes Custom.Trustscan.Scan.yaml beside it, the .deb's SHA-256
# as the tool's expected_hash (docs/deployment.md, "Velociraptor").
set(TRUSTSCAN_VELOCIRAPTOR_TOOL_URL "" CACHE STRING
    "URL the Velociraptor server downloads the trustscan .deb from (empty: uploaded by hand)")
set(CPACK_TRUSTSCAN_VELOCIRAPTOR_TEMPLATE
    ${PROJECT_SOURCE_DIR}/tools/integrations/velociraptor/Custom.Trustscan.Scan.yaml.in)
set(CPACK_TRUSTSCAN_VELOCIRAPTOR_URL "${TRUSTSCAN_VELOCIRAPTOR_TOOL_URL}")
list(APPEND CPACK_POST_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/cmake/velociraptor_artifact.cmake)
include(packaging_lib)  # libtrustscan1 and libtrustscan-dev beside trustscan (component packages)
include(CPack)
