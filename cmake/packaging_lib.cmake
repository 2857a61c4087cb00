# The Debian packages of libtrustscan, split as Debian splits a library (issue 19), included by
# packaging.cmake before CPack: one .deb per install component.
#
#   trustscan         (component Unspecified: every install() without COMPONENT) the CLI and the data
#   libtrustscan1     (component runtime, Section libs) libtrustscan.so.1 -> libtrustscan.so.1.0.0
#   libtrustscan-dev  (component dev, Section libdevel) trustscan.h, libtrustscan.so, trustscan.pc;
#                     Depends: libtrustscan1 (= version)
#
# The library reads the shipped rules and signatures of the trustscan package
# (<libdir>/../share/trustscan), so libtrustscan1 depends on it.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL Unspecified runtime dev)
set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_NAME trustscan)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libtrustscan1)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libtrustscan-dev)

# What was the single package's moves to its component: the other two must not get the CLI's
# maintainer scripts, conffile, section or suggestions.
set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_CONTROL_EXTRA ${CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA})
unset(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA)
set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_SECTION ${CPACK_DEBIAN_PACKAGE_SECTION})
set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_SUGGESTS ${CPACK_DEBIAN_PACKAGE_SUGGESTS})
unset(CPACK_DEBIAN_PACKAGE_SUGGESTS)
# Each package's description starts with its own synopsis line. CPack would put the one global
# summary before every component's description, so it is cleared (CPack then uses its default
# summary, which it never prepends).
set(CPACK_DEBIAN_UNSPECIFIED_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION_SUMMARY}\n${CPACK_DEBIAN_PACKAGE_DESCRIPTION}")
unset(CPACK_PACKAGE_DESCRIPTION_SUMMARY)

# libtrustscan1: the shared library. ldconfig runs through the trigger; the postinst and postrm
# CPack writes call ldconfig themselves (lintian: maintscript-calls-ldconfig) and are taken out
# of the built package (deb_ldconfig_trigger.cmake). The shlibs file comes from the SONAME.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "trustscan (= ${CPACK_PACKAGE_VERSION})")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA ${TRUSTSCAN_PACKAGING_DIR}/debian/libtrustscan1/triggers)
list(APPEND CPACK_POST_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/deb_ldconfig_trigger.cmake)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)  # only libtrustscan1 has a shared library
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "trustscan scanning library (C API)
libtrustscan is the engine of trustscan as a shared library with a stable
C API: a program loads rules, trust anchors, vendors and a policy once, then
scans paths, file descriptors or memory buffers from any number of threads
and gets every binary's record (kernel or boot privilege, signatures, vendor,
country, policy verdict) as the JSON object of trustscan's report.")

# libtrustscan-dev: what a program needs to build against the library.
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libtrustscan1 (= ${CPACK_PACKAGE_VERSION})")
set(CPACK_DEBIAN_DEV_DESCRIPTION "trustscan scanning library (development files)
The header trustscan/trustscan.h, the libtrustscan.so link and the pkg-config
file trustscan.pc for building programs against libtrustscan1, the C API of
the trustscan scanner.")

# Every package has its own copyright and changelog (Debian policy 12.5, 12.7).
foreach(component runtime dev)
  set(_pkg ${CPACK_DEBIAN_RUNTIME_PACKAGE_NAME})
  if(component STREQUAL dev)
    set(_pkg ${CPACK_DEBIAN_DEV_PACKAGE_NAME})
  endif()
  install(FILES ${TRUSTSCAN_PACKAGING_DIR}/debian/copyright ${TRUSTSCAN_CHANGELOG_GZ}
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${_pkg} COMPONENT ${component})
endforeach()
