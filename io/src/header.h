// Turning a loaded libvips header into an ImageInfo. Private to pixflow::io.
#pragma once

#include "libvips.h"
#include "loader.h"
#include "pixflow/io/image_info.h"

namespace pixflow::io::internal {

ImageInfo DescribeHeader(VipsImage* image, const Loader& loader);

}  // namespace pixflow::io::internal
