# `make install` and `make package` (a .deb), laid out as Debian does:
# programs in bin, the man page in share/man/man1, the sample jobs and
# fleets as examples in share/doc/wuying-reboot, the bash completion where
# bash-completion loads it on demand.
include(GNUInstallDirs)

install(TARGETS wuying-reboot ecd-sim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/docs/wuying-reboot.1
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
# The jobs name their inputs as samples/..., relative to where they run:
# keep both folders side by side.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/jobs ${PROJECT_SOURCE_DIR}/samples
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES ${PROJECT_SOURCE_DIR}/completions/wuying-reboot.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME wuying-reboot)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME wuying-reboot)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(WR_DEB_MAINTAINER "wuying-reboot maintainers <wuying-reboot@localhost>"
    CACHE STRING "Maintainer field of the .deb (Name <address>)")
set(CPACK_PACKAGE_CONTACT ${WR_DEB_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${WR_DEB_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "reboot Alibaba Cloud WUYING (ECD) cloud desktops in bulk")
# CPack puts the summary first; this is the extended description.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "wuying-reboot reads desktop IDs from CSV or JSON Lines, plans chunks and
waves (canary first), sends RebootDesktops at a bounded rate with retries,
optionally waits until the desktops run again, and writes a JSON Lines
report from which an interrupted run resumes and an audit is made.
ecd-sim, a local simulator of the ECD endpoint, is included for rehearsals.")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Programs in the package are stripped, as dh_strip would.
set(CPACK_STRIP_FILES ON)
# The libraries the programs link, by their Debian 12 package names.
# dpkg-shlibdeps (dpkg-dev), when present, finds the same packages with
# their version floors from the binaries themselves.
find_program(WR_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(WR_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6, libuv1, libcurl4, libssl3, libcsv3, libcjson1, libmicrohttpd12")
endif()
include(CPack)
