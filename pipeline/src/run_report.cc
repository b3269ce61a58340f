#include "pixflow/pipeline/run_report.h"

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

namespace pixflow::pipeline {
namespace {

Status WriteError(const std::filesystem::path& path) {
  std::string message = path.string();
  message.append(": cannot write the report: ").append(std::strerror(errno));
  return Status(StatusCode::kIoError, std::move(message));
}

}  // namespace

void RunTotals::Add(const ImageRecord& record) {
  ++images;
  switch (record.status) {
    case ImageStatus::kConverted: ++converted; break;
    case ImageStatus::kPlanned: ++planned; break;
    case ImageStatus::kSkipped: ++skipped; break;
    case ImageStatus::kFailed: ++failed; break;
    case ImageStatus::kCancelled: ++cancelled; break;
  }
  bytes_read += record.input_bytes;
  if (record.decoded_width > 0) {
    input_megapixels += 1e-6 * record.input_width * record.input_height;
  }
  for (const OutputRecord& output : record.outputs) {
    if (output.bytes == 0) continue;
    ++outputs_written;
    bytes_written += output.bytes;
  }
  ms += record.ms;
}

std::string SummaryToJson(const RunSummary& summary) {
  const RunTotals& t = summary.totals;
  const double wall = summary.wall_seconds;
  nlohmann::ordered_json json = {
      {"images", t.images},
      {"converted", t.converted},
      {"planned", t.planned},
      {"skipped", t.skipped},
      {"failed", t.failed},
      {"cancelled", t.cancelled},
      {"not_started", summary.not_started},
      {"walk_problems", summary.walk_problems},
      {"outputs_written", t.outputs_written},
      {"bytes_read", t.bytes_read},
      {"bytes_written", t.bytes_written},
      {"input_megapixels", t.input_megapixels},
      {"wall_seconds", wall},
      {"clock_start_ms", summary.clock_start_ms},
      {"images_per_second", wall > 0 ? static_cast<double>(t.converted) / wall : 0.0},
      {"megapixels_per_second", wall > 0 ? t.input_megapixels / wall : 0.0},
      {"stage_ms",
       {{"read", t.ms.read},
        {"decode", t.ms.decode},
        {"filter", t.ms.filter},
        {"encode", t.ms.encode},
        {"write", t.ms.write}}},
      {"mode", summary.mode},
      {"compute_threads", summary.compute_threads},
      {"io_threads", summary.io_threads},
      {"max_in_flight", summary.max_in_flight},
      {"peak_in_flight", summary.peak_in_flight},
      {"workers", summary.workers},
      {"peak_rss_kib", summary.peak_rss_kib},
      {"interrupted", summary.interrupted},
      {"exit_code", summary.exit_code}};
  return nlohmann::ordered_json{{"summary", std::move(json)}}.dump();
}

Result<ReportWriter> ReportWriter::Open(const std::filesystem::path& path) {
  std::FILE* file = std::fopen(path.c_str(), "we");
  if (file == nullptr) return WriteError(path);
  return ReportWriter(path, file);
}

Status ReportWriter::WriteLine(const std::string& line) {
  if (!file_) return Status(StatusCode::kIoError, path_.string() + ": report already closed");
  if (std::fputs(line.c_str(), file_.get()) < 0 || std::fputc('\n', file_.get()) == EOF ||
      std::fflush(file_.get()) != 0) {
    return WriteError(path_);
  }
  return Status::Ok();
}

Status ReportWriter::Add(const ImageRecord& record) { return WriteLine(RecordToJson(record)); }

Status ReportWriter::Close(const RunSummary& summary) {
  PIXFLOW_RETURN_IF_ERROR(WriteLine(SummaryToJson(summary)));
  std::FILE* file = file_.release();
  if (std::fclose(file) != 0) return WriteError(path_);
  return Status::Ok();
}

}  // namespace pixflow::pipeline
