# `cpack -G DEB` in the build folder makes pixflow_<version>_<arch>.deb from what `cmake
# --install` installs: the CLI and its man page, and the static libraries, headers, CMake package
# and pkg-config files for building against pixflow.
set(CPACK_PACKAGE_NAME pixflow)
set(CPACK_PACKAGE_VENDOR pixflow)
set(CPACK_PACKAGE_CONTACT "pixflow maintainers <pixflow@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # pixflow_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION graphics)
# Below the summary line (CPACK_PACKAGE_DESCRIPTION_SUMMARY); CPack indents it for the control file.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "pixflow converts whole folders of images on every core, in threads or in worker
processes, with SIMD filters (Highway) tiled across cores (oneTBB) and libvips codecs.

The package holds the pixflow command and its man page, and the static libraries,
headers, CMake package (find_package(pixflow)) and pkg-config files (pixflow-filters,
pixflow-io, pixflow-pipeline, pixflow) for building programs against it.")
# Depends comes from dpkg-shlibdeps on the installed binary (libvips42, libtbb12, libhwy1, libc6,
# ...): exactly the shared libraries pixflow links, OpenCV not among them.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Building against the static libraries needs their dependencies' headers and .so links.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libhwy-dev, libtbb-dev, libvips-dev, pkg-config")
include(CPack)
