// Makes a sharpened 320-pixel-wide thumbnail with pixflow's filter library.
//   thumbnail INPUT OUTPUT.jpg
#include <pixflow/filters/chain.h>
#include <pixflow/filters/convolve.h>
#include <pixflow/filters/resize.h>
#include <pixflow/io/codec.h>

#include <algorithm>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: thumbnail INPUT OUTPUT.jpg\n");
    return 2;
  }
  pixflow::Result<pixflow::Image8> image = pixflow::io::DecodeFile(argv[1]);
  if (!image.ok()) {
    std::fprintf(stderr, "%s\n", image.status().message().c_str());
    return 1;
  }
  const int width = 320;
  const int height = std::max(1, image->height() * width / image->width());

  pixflow::FilterChain chain;
  chain.Add(pixflow::MakeResize(width, height, {pixflow::ResizeKernel::kLanczos3}))
      .Add(pixflow::MakeUnsharpMask(/*sigma=*/0.8, /*amount=*/0.6));
  pixflow::Result<pixflow::Image8> thumb = chain.Run(image->view());  // all cores, via oneTBB
  if (!thumb.ok()) {
    std::fprintf(stderr, "%s\n", thumb.status().message().c_str());
    return 1;
  }
  auto jpeg = pixflow::io::Encode(thumb->view(), {"jpg", 85});
  pixflow::Status written =
      jpeg.ok() ? pixflow::io::WriteFileAtomically(argv[2], *jpeg) : jpeg.status();
  if (!written.ok()) {
    std::fprintf(stderr, "%s\n", written.message().c_str());
    return 1;
  }
  std::printf("%s: %dx%d -> %s: %dx%d (%s)\n", argv[1], image->width(), image->height(), argv[2],
              thumb->width(), thumb->height(), chain.Describe().c_str());
  return 0;
}
