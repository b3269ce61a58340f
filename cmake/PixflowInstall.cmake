# Installs the libraries and headers and exports them, so another project can
#   find_package(pixflow REQUIRED)
#   target_link_libraries(app PRIVATE pixflow::filters)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS pixflow_filters pixflow_io pixflow_pipeline
        EXPORT pixflowTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY filters/include/ io/include/ pipeline/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT pixflowTargets NAMESPACE pixflow:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/pixflow)

configure_package_config_file(cmake/pixflowConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/pixflowConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/pixflow)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/pixflowConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/pixflowConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/pixflowConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/pixflow)
