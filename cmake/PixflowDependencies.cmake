# Every dependency is a Debian 12 package, found here and nowhere else; nothing is downloaded.
# The install line for each is in README.md and .ci/install-deps.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(hwy 1.0 REQUIRED)          # libhwy-dev
find_package(TBB 2021 REQUIRED)         # libtbb-dev
pkg_check_modules(VIPS REQUIRED IMPORTED_TARGET vips>=8.14)  # libvips-dev
# Loads libvips' format modules when first needed (libglib2.0-dev, which comes with libvips-dev).
pkg_check_modules(GMODULE REQUIRED IMPORTED_TARGET gmodule-no-export-2.0)

# Reports are JSON lines (pipeline, privately; header-only).
find_package(nlohmann_json 3 REQUIRED)  # nlohmann-json3-dev
if(PIXFLOW_BUILD_APPS)
  find_package(CLI11 REQUIRED)          # libcli11-dev
  find_package(fmt REQUIRED)            # libfmt-dev
endif()
if(PIXFLOW_BUILD_TESTS OR PIXFLOW_BUILD_BENCHMARKS)
  find_package(OpenCV 4 REQUIRED COMPONENTS core imgproc imgcodecs)  # libopencv-dev
endif()
if(PIXFLOW_BUILD_TESTS)
  find_package(GTest REQUIRED)          # libgtest-dev
  pkg_check_modules(LCMS2 REQUIRED IMPORTED_TARGET lcms2)  # liblcms2-dev (comes with libvips-dev)
  pkg_check_modules(LIBHEIF REQUIRED IMPORTED_TARGET libheif)  # libheif-dev (comes with libvips-dev)
endif()
if(PIXFLOW_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)      # libbenchmark-dev
endif()
