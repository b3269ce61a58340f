// Colour and alpha filters: pointwise 8-bit operations. Each factory returns a Filter (filter.h)
// to run with ApplyFilter or in a chain. Parameters are checked when the filter is planned:
// OutputSize returns InvalidArgument naming the op and the bad value, as it does for a channel
// count the op cannot take.
//
// Alpha is the last channel of 2- and 4-channel images. Operations on colour leave it unchanged
// unless stated otherwise.
// Each factory returns a new Filter the caller owns; filters are immutable, so one can run on many
// images from many threads at once.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "pixflow/filters/filter.h"

namespace pixflow {

// 3 or 4 channels (RGB, RGBA) -> 1: BT.601 luma with OpenCV's 15-bit fixed point, so the result
// equals cv::cvtColor(COLOR_RGB2GRAY / COLOR_RGBA2GRAY) exactly. Alpha is dropped.
std::unique_ptr<Filter> MakeRgbToGray();
// 1 -> 3 equal channels (cv::COLOR_GRAY2RGB).
std::unique_ptr<Filter> MakeGrayToRgb();
// RGB <-> BGR, 3 or 4 channels (alpha stays last; cv::COLOR_RGB2BGR / COLOR_RGBA2BGRA).
std::unique_ptr<Filter> MakeSwapRedBlue();

// The sRGB transfer functions (IEC 61966-2-1) on 8-bit values, through a table computed in double
// and rounded to nearest. Any channel count; alpha untouched.
std::unique_ptr<Filter> MakeSrgbToLinear();
std::unique_ptr<Filter> MakeLinearToSrgb();

// out = table[in] per channel (cv::LUT); alpha is looked up too only with `apply_to_alpha`.
std::unique_ptr<Filter> MakeLut(std::array<uint8_t, 256> table, bool apply_to_alpha = false);
// Tables built on MakeLut; alpha untouched. Each output is rounded to nearest and clamped.
// in + delta, delta in [-255, 255].
std::unique_ptr<Filter> MakeBrightness(double delta);
// (in - 127.5) * factor + 127.5, factor >= 0 (0: flat grey, 1: unchanged).
std::unique_ptr<Filter> MakeContrast(double factor);
// 255 * (in / 255)^(1 / gamma), gamma > 0 (ImageMagick -gamma: above 1 brightens).
std::unique_ptr<Filter> MakeGamma(double gamma);
// 255 - in (cv::bitwise_not on the colour channels).
std::unique_ptr<Filter> MakeInvert();
// in > threshold ? max_value : 0 (cv::threshold THRESH_BINARY).
std::unique_ptr<Filter> MakeThreshold(uint8_t threshold, uint8_t max_value = 255);

// 2 or 4 channels, alpha last. Premultiply: c -> (c * a + 128) / 255 in integers, OpenCV's
// cv::COLOR_RGBA2mRGBA (c * a / 255 to nearest, except up where c * a % 255 == 127).
// Unpremultiply: c -> min(255, (c * 255 + a / 2) / a), 0 where a == 0 (cv::COLOR_mRGBA2RGBA).
std::unique_ptr<Filter> MakePremultiply();
std::unique_ptr<Filter> MakeUnpremultiply();
// Composites over an opaque `background` {r, g, b} and drops alpha: 4 -> 3 channels, or 2 -> 1
// over the background's luma (as MakeRgbToGray computes it). c -> round((c*a + bg*(255 - a))/255).
std::unique_ptr<Filter> MakeFlatten(std::array<uint8_t, 3> background);

}  // namespace pixflow
