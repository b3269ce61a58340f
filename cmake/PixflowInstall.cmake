# Installs the libraries, headers, CMake package and pkg-config files, so another project can
#   find_package(pixflow REQUIRED COMPONENTS filters)     # or plain find_package(pixflow)
#   target_link_libraries(app PRIVATE pixflow::filters)
# or build with `pkg-config --cflags --libs pixflow-filters`.
#
# One export set per layer: the libraries are static, so even a PRIVATE dependency (libvips in
# io, Highway in filters) is named in the export as $<LINK_ONLY:...> and must exist as a target
# in the consumer. Loading only the layers a consumer asks for (and what they depend on) is what
# keeps a filters-only program from having to find, or link, libvips.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(PIXFLOW_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/pixflow)
set(PIXFLOW_PKGCONFIG_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

foreach(layer filters io pipeline)
  install(TARGETS pixflow_${layer}
          EXPORT pixflow-${layer}-targets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(DIRECTORY ${layer}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT pixflow-${layer}-targets NAMESPACE pixflow::
          DESTINATION ${PIXFLOW_CMAKE_INSTALL_DIR})
endforeach()

configure_package_config_file(cmake/pixflowConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/pixflowConfig.cmake
                              INSTALL_DESTINATION ${PIXFLOW_CMAKE_INSTALL_DIR})
# 0.x: a minor release may change the API, so only the same minor version is compatible.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/pixflowConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/pixflowConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/pixflowConfigVersion.cmake
        DESTINATION ${PIXFLOW_CMAKE_INSTALL_DIR})

# pkg-config files locate the prefix from their own folder (${pcfiledir}), so an installed tree
# can be moved, and `cmake --install --prefix` (the tests' scratch prefix) gets correct paths.
file(RELATIVE_PATH PIXFLOW_PC_TO_PREFIX "/${PIXFLOW_PKGCONFIG_INSTALL_DIR}" "/")
foreach(pc pixflow-filters pixflow-io pixflow-pipeline pixflow)
  configure_file(cmake/${pc}.pc.in ${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/${pc}.pc @ONLY)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/${pc}.pc
          DESTINATION ${PIXFLOW_PKGCONFIG_INSTALL_DIR})
endforeach()

install(FILES README.md docs/library.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
