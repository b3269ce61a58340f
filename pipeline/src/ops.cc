#include "pixflow/pipeline/ops.h"

#include <charconv>
#include <cmath>
#include <map>

#include "pixflow/filters/color.h"
#include "pixflow/filters/convolve.h"
#include "pixflow/filters/geometry.h"
#include "pixflow/filters/median.h"
#include "pixflow/pipeline/geometry.h"

namespace pixflow::pipeline {
namespace {

using Op = OpList::Op;
using Builder = OpList::Builder;

Status BadArgument(const OpText& op, const std::string& why) {
  return InvalidArgument("--" + op.name + " '" + op.argument + "': " + why);
}

Result<double> ParseDouble(const OpText& op, double lo, double hi) {
  double value = 0;
  const char* end = op.argument.data() + op.argument.size();
  auto [ptr, error] = std::from_chars(op.argument.data(), end, value);
  if (op.argument.empty() || error != std::errc() || ptr != end || !std::isfinite(value)) {
    return BadArgument(op, "not a number");
  }
  if (value < lo || value > hi) {
    return BadArgument(op, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return value;
}

// A builder for a filter that does not depend on the image size.
Builder Fixed(std::function<std::unique_ptr<Filter>()> make) {
  return [make](Size input, FilterChain& chain) -> Result<Size> {
    std::unique_ptr<Filter> filter = make();
    Result<Size> size = filter->OutputSize(input);
    if (!size.ok()) return size.status().WithContext(filter->Name());
    chain.Add(std::move(filter));
    return size;
  };
}

// --crop WxH+X+Y (a rectangle, clipped to the image like ImageMagick's) or WxH (centred).
Result<Builder> ParseCrop(const OpText& op) {
  int w = 0, h = 0, x = 0, y = 0;
  char sx = '+', sy = '+';
  int consumed = 0;
  const char* s = op.argument.c_str();
  bool centred = false;
  if (std::sscanf(s, "%dx%d%c%d%c%d%n", &w, &h, &sx, &x, &sy, &y, &consumed) == 6 &&
      (sx == '+' || sx == '-') && (sy == '+' || sy == '-') &&
      consumed == static_cast<int>(op.argument.size())) {
    if (sx == '-') x = -x;
    if (sy == '-') y = -y;
  } else if (std::sscanf(s, "%dx%d%n", &w, &h, &consumed) == 2 &&
             consumed == static_cast<int>(op.argument.size())) {
    centred = true;
  } else {
    return BadArgument(op, "expected WxH+X+Y or WxH (centred)");
  }
  if (w < 1 || h < 1) return BadArgument(op, "width and height must be at least 1");
  return Builder([=](Size input, FilterChain& chain) -> Result<Size> {
    int left = centred ? (input.width - w) / 2 : x;
    int top = centred ? (input.height - h) / 2 : y;
    const int right = std::min(input.width, left + w), bottom = std::min(input.height, top + h);
    left = std::max(0, left);
    top = std::max(0, top);
    if (right <= left || bottom <= top) {
      return BadArgument(op, "lies outside the " + std::to_string(input.width) + "x" +
                                 std::to_string(input.height) + " image");
    }
    return Fixed([=] { return MakeCrop(left, top, right - left, bottom - top); })(input, chain);
  });
}

struct OpDefinition {
  OpInfo info;
  std::function<Result<Builder>(const OpText&, ResizeKernel)> parse;
  bool is_resize = false;
};

const std::vector<OpDefinition>& Definitions() {
  static const std::vector<OpDefinition> kOps = {
      {{"resize", "GEOMETRY",
        "resize (Wx, xH, WxH fit, WxH^ cover, WxH! exact, WxH> shrink only, WxH< enlarge only, "
        "N%); antialiased; kernel from --kernel"},
       [](const OpText& op, ResizeKernel kernel) -> Result<Builder> {
         PIXFLOW_ASSIGN_OR_RETURN(Geometry geometry, ParseGeometry(op.argument));
         return Builder([geometry, kernel](Size input, FilterChain& chain) -> Result<Size> {
           const Size out = geometry.Resolve(input);
           if (out == input) return input;  // nothing to do: keep the pixels untouched
           return Fixed([&] { return MakeResize(out.width, out.height, {kernel}); })(input, chain);
         });
       },
       true},
      {{"crop", "WxH+X+Y", "cut out a rectangle (clipped to the image); WxH alone is centred"},
       [](const OpText& op, ResizeKernel) { return ParseCrop(op); }},
      {{"rotate", "DEGREES", "rotate clockwise by 90, 180 or 270 (negative: anticlockwise)"},
       [](const OpText& op, ResizeKernel) -> Result<Builder> {
         PIXFLOW_ASSIGN_OR_RETURN(double degrees, ParseDouble(op, -270, 270));
         const int d = static_cast<int>(degrees);
         if (d != degrees || d % 90 != 0) return BadArgument(op, "must be a multiple of 90");
         return Fixed([d] { return MakeRotate(d); });
       }},
      {{"flip", "", "mirror top to bottom"},
       [](const OpText&, ResizeKernel) -> Result<Builder> { return Fixed(MakeFlip); }},
      {{"flop", "", "mirror left to right"},
       [](const OpText&, ResizeKernel) -> Result<Builder> { return Fixed(MakeFlop); }},
      {{"transpose", "", "swap rows and columns"},
       [](const OpText&, ResizeKernel) -> Result<Builder> { return Fixed(MakeTranspose); }},
      {{"blur", "SIGMA", "Gaussian blur with standard deviation SIGMA pixels (0.1-100)"},
       [](const OpText& op, ResizeKernel) -> Result<Builder> {
         PIXFLOW_ASSIGN_OR_RETURN(double sigma, ParseDouble(op, 0.1, 100));
         return Fixed([sigma] { return MakeGaussianBlur(sigma); });
       }},
      {{"sharpen", "SIGMA", "unsharp mask of radius SIGMA pixels (0.1-100), amount 1"},
       [](const OpText& op, ResizeKernel) -> Result<Builder> {
         PIXFLOW_ASSIGN_OR_RETURN(double sigma, ParseDouble(op, 0.1, 100));
         return Fixed([sigma] { return MakeUnsharpMask(sigma, 1.0, 0); });
       }},
      {{"median", "SIZE", "median filter over a 3x3 or 5x5 window (removes speckle)"},
       [](const OpText& op, ResizeKernel) -> Result<Builder> {
         PIXFLOW_ASSIGN_OR_RETURN(double size, ParseDouble(op, 3, 5));
         if (size != 3 && size != 5) return BadArgument(op, "must be 3 or 5");
         return Fixed([size] { return MakeMedian(static_cast<int>(size)); });
       }},
      {{"grayscale", "", "convert to one grey channel (BT.601 luma; alpha dropped)"},
       [](const OpText&, ResizeKernel) -> Result<Builder> {
         return Builder([](Size input, FilterChain& chain) -> Result<Size> {
           if (input.channels <= 2) return input;  // already grey
           return Fixed(MakeRgbToGray)(input, chain);
         });
       }},
      {{"brightness", "DELTA", "add DELTA levels (-255 to 255) to every colour channel"},
       [](const OpText& op, ResizeKernel) -> Result<Builder> {
         PIXFLOW_ASSIGN_OR_RETURN(double delta, ParseDouble(op, -255, 255));
         return Fixed([delta] { return MakeBrightness(delta); });
       }},
      {{"contrast", "FACTOR", "scale contrast around mid-grey (0-10; 1 = unchanged)"},
       [](const OpText& op, ResizeKernel) -> Result<Builder> {
         PIXFLOW_ASSIGN_OR_RETURN(double factor, ParseDouble(op, 0, 10));
         return Fixed([factor] { return MakeContrast(factor); });
       }},
      {{"gamma", "GAMMA", "gamma correction, out = in^(1/GAMMA) (0.05-20; 1 = unchanged)"},
       [](const OpText& op, ResizeKernel) -> Result<Builder> {
         PIXFLOW_ASSIGN_OR_RETURN(double gamma, ParseDouble(op, 0.05, 20));
         return Fixed([gamma] { return MakeGamma(gamma); });
       }},
      {{"invert", "", "negate every colour channel (alpha kept)"},
       [](const OpText&, ResizeKernel) -> Result<Builder> { return Fixed(MakeInvert); }},
      {{"threshold", "LEVEL", "pixels above LEVEL (0-255) become 255, the rest 0"},
       [](const OpText& op, ResizeKernel) -> Result<Builder> {
         PIXFLOW_ASSIGN_OR_RETURN(double level, ParseDouble(op, 0, 255));
         return Fixed([level] { return MakeThreshold(static_cast<uint8_t>(level), 255); });
       }},
  };
  return kOps;
}

}  // namespace

const std::vector<OpInfo>& ListOps() {
  static const std::vector<OpInfo> kInfos = [] {
    std::vector<OpInfo> infos;
    for (const OpDefinition& def : Definitions()) infos.push_back(def.info);
    return infos;
  }();
  return kInfos;
}

Result<OpList> OpList::Parse(const std::vector<OpText>& ops, ResizeKernel kernel) {
  OpList list;
  for (const OpText& text : ops) {
    const auto& defs = Definitions();
    auto def = std::find_if(defs.begin(), defs.end(),
                            [&](const OpDefinition& d) { return d.info.name == text.name; });
    if (def == defs.end()) {
      return InvalidArgument("unknown op --" + text.name + " (`pixflow filters` lists them)");
    }
    if (def->info.argument.empty() != text.argument.empty()) {
      return InvalidArgument(
          "--" + text.name +
          (def->info.argument.empty() ? " takes no value" : " needs a " + def->info.argument));
    }
    PIXFLOW_ASSIGN_OR_RETURN(Builder build, def->parse(text, kernel));
    list.ops_.push_back({text, std::move(build), def->is_resize});
  }
  return list;
}

std::string OpList::Describe() const {
  std::string out;
  for (const Op& op : ops_) {
    if (!out.empty()) out += ' ';
    out += "--" + op.text.name;
    if (!op.text.argument.empty()) out += " " + op.text.argument;
  }
  return out;
}

bool OpList::HasResize() const {
  return std::any_of(ops_.begin(), ops_.end(), [](const Op& op) { return op.is_resize; });
}

Result<FilterChain> OpList::BuildChain(Size input) const {
  FilterChain chain;
  Size size = input;
  for (const Op& op : ops_) {
    PIXFLOW_ASSIGN_OR_RETURN(size, op.build(size, chain));
  }
  return chain;
}

Size OpList::LeadingDownscale(Size input) const {
  Size size = input;
  for (const Op& op : ops_) {
    if (!op.is_resize) break;
    FilterChain scratch;
    Result<Size> next = op.build(size, scratch);
    if (!next.ok() || next->width > size.width || next->height > size.height) break;
    size = *next;
  }
  return size;
}

}  // namespace pixflow::pipeline
