// Writes the seed corpus of every fuzzer into OUTDIR/<fuzzer>/: a small image of each format
// this libvips can write (plus an EXIF-rotated JPEG, a grey PNG and an RGBA WebP), SVG and PDF
// bytes that must stay blocked, and valid texts and protocol streams for the parsers. Generated
// at test time (the `fuzz_seeds` fixture) so no binary seed is committed.
//
//   pixflow_fuzz_seeds OUTDIR
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "pixflow/io/decoder.h"
#include "pixflow/io/encoder.h"
#include "pixflow/pipeline/image_record.h"
#include "process_protocol.h"

namespace {

namespace fs = std::filesystem;
namespace io = pixflow::io;
namespace wire = pixflow::pipeline::wire;

void WriteSeed(const fs::path& folder, const std::string& name, std::string_view bytes) {
  fs::create_directories(folder);
  std::ofstream(folder / name, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

// A smooth gradient with a little structure, so every codec has real work to do.
pixflow::Image8 Gradient(int channels) {
  pixflow::Image8 image = pixflow::Image8::Create(24, 16, channels).value();
  for (int y = 0; y < image.height(); ++y) {
    for (int x = 0; x < image.width(); ++x) {
      for (int c = 0; c < channels; ++c) {
        image.Row(y)[x * channels + c] = static_cast<uint8_t>(x * 10 + y * 7 * c + (x ^ y));
      }
    }
  }
  return image;
}

// decode_fuzzer reads its first byte as options; 0 is the CLI's defaults.
std::string DecodeSeed(std::string_view file) {
  std::string seed(1, '\0');
  seed.append(file);
  return seed;
}

// Returns false when a file that must be refused (SVG, PDF) decodes.
bool WriteImageSeeds(const fs::path& folder) {
  const pixflow::Image8 rgb = Gradient(3), rgba = Gradient(4), grey = Gradient(1);
  for (const std::string& format : io::EncodeFormats()) {
    if (!io::CheckEncoderAvailable(format).ok()) continue;
    const bool alpha = format == "png" || format == "webp" || format == "tif";
    const auto bytes = io::Encode(alpha ? rgba.view() : rgb.view(), io::EncodeSpec{format});
    if (!bytes.ok()) continue;
    WriteSeed(folder, format,
              DecodeSeed({reinterpret_cast<const char*>(bytes->data()), bytes->size()}));
  }
  io::ImageMetadata rotated;
  rotated.orientation = 6;
  if (const auto jpeg = io::Encode(rgb.view(), io::EncodeSpec{"jpg"}, rotated); jpeg.ok()) {
    WriteSeed(folder, "jpg-orientation-6",
              DecodeSeed({reinterpret_cast<const char*>(jpeg->data()), jpeg->size()}));
  }
  if (const auto png = io::Encode(grey.view(), io::EncodeSpec{"png"}); png.ok()) {
    WriteSeed(folder, "png-grey",
              DecodeSeed({reinterpret_cast<const char*>(png->data()), png->size()}));
  }
  const std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"8\">"
      "<rect width=\"8\" height=\"4\" fill=\"red\"/></svg>";
  const std::string pdf =
      "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
      "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
      "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 8 8]>>endobj\n"
      "trailer<</Root 1 0 R>>\n%%EOF\n";
  bool blocked = true;
  for (const auto& [name, text] : {std::pair{"svg", svg}, std::pair{"pdf", pdf}}) {
    WriteSeed(folder, name, DecodeSeed(text));
    const auto span = std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    if (io::Decode(span, name).ok()) {
      std::fprintf(stderr, "make_seeds: %s decoded with untrusted loaders blocked\n", name);
      blocked = false;
    }
  }
  return blocked;
}

void WriteTextSeeds(const fs::path& folder, const std::vector<std::string>& texts) {
  for (size_t i = 0; i < texts.size(); ++i)
    WriteSeed(folder, "seed-" + std::to_string(i), texts[i]);
}

void WriteProtocolSeeds(const fs::path& folder) {
  pixflow::pipeline::ConvertJob job;
  job.input = {"/photos/2024/a b.jpg", "2024/a b.jpg"};
  job.outputs = {"/out/2024/a b-w320.webp", "/out/2024/a b-w1280.jpg"};
  pixflow::pipeline::ImageRecord record;
  record.input = "/photos/2024/a b.jpg";
  record.relative = "2024/a b.jpg";
  record.input_format = "jpeg";
  record.input_width = 640;
  record.input_height = 480;
  record.outputs.push_back({"/out/2024/a b-w320.webp", "w320", "webp", 320, 240, 5120, false});
  const std::vector<wire::Frame> frames = {
      {wire::Kind::kReady, {}},
      wire::InputsFrame({{2049, 131}, {2049, 77}}),
      wire::JobFrame(job),
      {wire::Kind::kResult, {pixflow::pipeline::RecordToJson(record), "81234"}},
  };
  std::string stream;
  for (size_t i = 0; i < frames.size(); ++i) {
    WriteSeed(folder, "frame-" + std::to_string(i), wire::Encode(frames[i]));
    stream += wire::Encode(frames[i]);
  }
  WriteSeed(folder, "stream", stream);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  const bool blocked = WriteImageSeeds(out / "decode_fuzzer");
  WriteTextSeeds(out / "geometry_fuzzer", {"800x", "x600", "800x600", "800x600^", "800x600!",
                                           "800x600>", "800x600<", "50%", "50x25%", "12.5X7.5"});
  WriteTextSeeds(
      out / "encode_spec_fuzzer",
      {"jpg[Q=85,progressive]", "webp[Q=80,lossless,effort=4]", "png[compression=6]", "avif[Q=50]",
       "tif", "gif", "jpeg[Q=1,progressive=false]", "#ff8000", "#abc", "12,34,56", "white", "128"});
  WriteTextSeeds(out / "variant_fuzzer",
                 {"w320:--resize 320x --format webp[Q=75]", "t:--resize 128x --sharpen 1",
                  "p:--resize 50% --blur 1 --format png --name '{dir}/{name} small.{ext}'",
                  "g.1:--grayscale --brightness -10 --crop=10x10+2+2 --rotate 90 --flip",
                  "x_2:--median 3 --gamma 2.2 --contrast 1.5 --threshold 128 --invert"});
  WriteProtocolSeeds(out / "protocol_fuzzer");
  return blocked ? 0 : 1;
}
