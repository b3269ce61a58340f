// --variant 'LABEL:OPTIONS': any text through pipeline::ParseVariant. A variant that parses has
// a valid label, and its ops build a filter chain (or refuse to, with an error) for images of
// ordinary and extreme shapes, the way each image's chain is built at run time.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "pixflow/pipeline/convert.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using pixflow::Size;
  namespace pipeline = pixflow::pipeline;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const pipeline::VariantDefaults defaults{"jpg", "{dir}/{name}-{variant}.{ext}",
                                           pixflow::ResizeKernel::kLanczos3};
  const pixflow::Result<pipeline::Variant> variant = pipeline::ParseVariant(text, defaults);
  if (!variant.ok()) {
    PIXFLOW_FUZZ_CHECK(variant.status().message().rfind("--variant '", 0) == 0);
    return 0;
  }
  PIXFLOW_FUZZ_CHECK(!variant->label.empty() &&
                     text.substr(0, variant->label.size() + 1) == variant->label + ":");
  (void)variant->ops.Describe();
  for (const Size input : {Size{64, 48, 3}, Size{1, 1, 4}, Size{1, 20000, 1}}) {
    const Size shrunk = variant->ops.LeadingDownscale(input);
    PIXFLOW_FUZZ_CHECK(shrunk.width >= 1 && shrunk.height >= 1);
    const pixflow::Result<pixflow::FilterChain> chain = variant->ops.BuildChain(input);
    PIXFLOW_FUZZ_CHECK(chain.ok() || !chain.status().message().empty());
  }
  return 0;
}
