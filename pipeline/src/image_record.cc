#include "pixflow/pipeline/image_record.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <utility>

namespace pixflow::pipeline {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::array<std::pair<ImageStatus, const char*>, 5> kStatusNames = {{
    {ImageStatus::kConverted, "converted"},
    {ImageStatus::kPlanned, "planned"},
    {ImageStatus::kSkipped, "skipped"},
    {ImageStatus::kFailed, "failed"},
    {ImageStatus::kCancelled, "cancelled"},
}};

Json OutputToJson(const OutputRecord& output) {
  return {{"path", output.path},     {"variant", output.variant}, {"format", output.format},
          {"width", output.width},   {"height", output.height},   {"bytes", output.bytes},
          {"existed", output.existed}};
}

Json TimesToJson(const StageTimes& ms) {
  return {{"read", ms.read},     {"decode", ms.decode}, {"filter", ms.filter},
          {"encode", ms.encode}, {"write", ms.write},   {"total", ms.total()}};
}

// Reads `key` into `value` when present; a missing key keeps the default, so older or partial
// records still load.
template <class T>
void Get(const Json& object, const char* key, T& value) {
  const auto it = object.find(key);
  if (it != object.end() && !it->is_null()) it->get_to(value);
}

}  // namespace

const char* ImageStatusName(ImageStatus status) {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) return name;
  }
  return "unknown";
}

void ImageRecord::Fail(std::string_view failed_stage, const Status& failure) {
  if (failed()) return;
  status = ImageStatus::kFailed;
  stage = failed_stage;
  error = failure.message();
}

std::string RecordToJson(const ImageRecord& record) {
  Json outputs = Json::array();
  for (const OutputRecord& output : record.outputs) outputs.push_back(OutputToJson(output));
  Json json = {{"input", record.input},
               {"relative", record.relative},
               {"status", ImageStatusName(record.status)},
               {"stage", record.stage.empty() ? Json(nullptr) : Json(record.stage)},
               {"error", record.error.empty() ? Json(nullptr) : Json(record.error)},
               {"warnings", record.warnings},
               {"input_bytes", record.input_bytes},
               {"input_format", record.input_format},
               {"input_width", record.input_width},
               {"input_height", record.input_height},
               {"input_channels", record.input_channels},
               {"decoded_width", record.decoded_width},
               {"decoded_height", record.decoded_height},
               {"outputs", std::move(outputs)},
               {"ms", TimesToJson(record.ms)}};
  if (record.worker >= 0) {
    json["worker"] = {{"index", record.worker},
                      {"pid", record.pid},
                      {"attempts", record.attempts},
                      {"peak_rss_kib", record.worker_peak_rss_kib}};
  }
  // Invalid UTF-8 in a file name is replaced rather than thrown on: the report must be written.
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<ImageRecord> RecordFromJson(std::string_view line) {
  const Json json = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object() || !json.contains("input")) {
    return InvalidArgument("not an image record: " + std::string(line.substr(0, 80)));
  }
  try {
    ImageRecord record;
    Get(json, "input", record.input);
    Get(json, "relative", record.relative);
    const std::string status = json.value("status", "");
    const auto* named = std::find_if(kStatusNames.begin(), kStatusNames.end(),
                                     [&](const auto& entry) { return status == entry.second; });
    if (named == kStatusNames.end()) return InvalidArgument("unknown image status '" + status + "'");
    record.status = named->first;
    Get(json, "stage", record.stage);
    Get(json, "error", record.error);
    Get(json, "warnings", record.warnings);
    Get(json, "input_bytes", record.input_bytes);
    Get(json, "input_format", record.input_format);
    Get(json, "input_width", record.input_width);
    Get(json, "input_height", record.input_height);
    Get(json, "input_channels", record.input_channels);
    Get(json, "decoded_width", record.decoded_width);
    Get(json, "decoded_height", record.decoded_height);
    for (const Json& item : json.value("outputs", Json::array())) {
      OutputRecord output;
      Get(item, "path", output.path);
      Get(item, "variant", output.variant);
      Get(item, "format", output.format);
      Get(item, "width", output.width);
      Get(item, "height", output.height);
      Get(item, "bytes", output.bytes);
      Get(item, "existed", output.existed);
      record.outputs.push_back(std::move(output));
    }
    const Json ms = json.value("ms", Json::object());
    Get(ms, "read", record.ms.read);
    Get(ms, "decode", record.ms.decode);
    Get(ms, "filter", record.ms.filter);
    Get(ms, "encode", record.ms.encode);
    Get(ms, "write", record.ms.write);
    if (const auto worker = json.find("worker"); worker != json.end()) {
      Get(*worker, "index", record.worker);
      Get(*worker, "pid", record.pid);
      Get(*worker, "attempts", record.attempts);
      Get(*worker, "peak_rss_kib", record.worker_peak_rss_kib);
    }
    return record;
  } catch (const Json::exception& error) {
    return InvalidArgument(std::string("bad image record: ") + error.what());
  }
}

}  // namespace pixflow::pipeline
