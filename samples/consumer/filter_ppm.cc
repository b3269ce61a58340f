// Filters a binary PPM (P6) with pixflow's filter library alone — no codec library, so it links
// Highway and oneTBB but not libvips: resizes to WIDTHxHEIGHT (Lanczos-3), sharpens (unsharp mask,
// sigma 1) and converts to grey, then writes a binary PGM (P5). The same chain as
//   pixflow convert IN -o DIR --resize WIDTHxHEIGHT! --sharpen 1 --grayscale
//   filter_ppm IN.ppm OUT.pgm WIDTH HEIGHT
#include <pixflow/filters/chain.h>
#include <pixflow/filters/color.h>
#include <pixflow/filters/convolve.h>
#include <pixflow/filters/resize.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace {

// The next header number, skipping whitespace and # comments (netpbm's header grammar).
bool ReadHeaderNumber(std::istream& in, int& value) {
  for (int c = in.peek(); c != EOF; c = in.peek()) {
    if (c == '#') {
      std::string comment;
      std::getline(in, comment);
    } else if (std::isspace(c)) {
      in.get();
    } else {
      break;
    }
  }
  return static_cast<bool>(in >> value);
}

pixflow::Result<pixflow::Image8> ReadPpm(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string magic;
  int width = 0, height = 0, max_value = 0;
  if (!(in >> magic) || magic != "P6" || !ReadHeaderNumber(in, width) ||
      !ReadHeaderNumber(in, height) || !ReadHeaderNumber(in, max_value) || max_value != 255) {
    return pixflow::InvalidArgument(path + ": not an 8-bit binary PPM (P6)");
  }
  in.get();  // the single whitespace byte that ends the header
  PIXFLOW_ASSIGN_OR_RETURN(pixflow::Image8 image, pixflow::Image8::Create(width, height, 3));
  for (int y = 0; y < height; ++y) {
    const auto row_bytes = static_cast<std::streamsize>(image.view().row_elements());
    if (!in.read(reinterpret_cast<char*>(image.Row(y)), row_bytes)) {
      return pixflow::InvalidArgument(path + ": truncated pixel data");
    }
  }
  return image;
}

pixflow::Status WritePgm(const std::string& path, pixflow::ConstView8 grey) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << "P5\n" << grey.width() << ' ' << grey.height() << "\n255\n";
  for (int y = 0; y < grey.height(); ++y) {
    out.write(reinterpret_cast<const char*>(grey.Row(y)),
              static_cast<std::streamsize>(grey.row_elements()));
  }
  out.close();
  if (!out) return pixflow::Status(pixflow::StatusCode::kIoError, path + ": cannot write");
  return pixflow::Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: filter_ppm IN.ppm OUT.pgm WIDTH HEIGHT\n");
    return 2;
  }
  pixflow::Result<pixflow::Image8> image = ReadPpm(argv[1]);
  if (!image.ok()) {
    std::fprintf(stderr, "%s\n", image.status().message().c_str());
    return 1;
  }
  pixflow::FilterChain chain;
  chain.Add(pixflow::MakeResize(std::atoi(argv[3]), std::atoi(argv[4])))
      .Add(pixflow::MakeUnsharpMask(/*sigma=*/1.0))
      .Add(pixflow::MakeRgbToGray());
  // Every shape and parameter is checked here, before any pixel is processed.
  pixflow::Result<pixflow::Image8> grey = chain.Run(image->view());
  if (!grey.ok()) {
    std::fprintf(stderr, "%s\n", grey.status().message().c_str());
    return 1;
  }
  if (pixflow::Status written = WritePgm(argv[2], grey->view()); !written.ok()) {
    std::fprintf(stderr, "%s\n", written.message().c_str());
    return 1;
  }
  std::printf("%s: %dx%d -> %s: %dx%d (%s)\n", argv[1], image->width(), image->height(), argv[2],
              grey->width(), grey->height(), chain.Describe().c_str());
  return 0;
}
