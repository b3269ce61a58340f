// The worker side of the process executor (process_executor.h).
#include <sys/prctl.h>
#include <sys/resource.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <new>

#include "pixflow/pipeline/process_executor.h"
#include "process_protocol.h"

namespace pixflow::pipeline {
namespace {

Status SystemError(std::string what) {
  what.append(": ").append(std::strerror(errno));
  return Status(StatusCode::kInternal, std::move(what));
}

// Dies with the supervisor. The death signal is armed after exec, so a supervisor that died
// before this line is caught by the parent check instead. (PDEATHSIG follows the parent
// *thread*: the supervisor spawns from the thread that runs it and outlives its workers.)
Status FollowSupervisor(pid_t supervisor) {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return SystemError("worker: prctl");
  if (supervisor != 0 && ::getppid() != supervisor) {
    return Status(StatusCode::kInternal, "worker: the supervisor is gone");
  }
  return Status::Ok();
}

Status CapMemory(uint64_t bytes) {
  if (bytes == 0) return Status::Ok();
  const rlimit limit{bytes, bytes};
  if (::setrlimit(RLIMIT_AS, &limit) != 0) return SystemError("worker: setrlimit(RLIMIT_AS)");
  return Status::Ok();
}

uint64_t PeakRssKib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss);
}

// One image, on the worker's arena. An allocation that fails under the memory cap fails the
// image; the worker stays up for the next one.
ImageRecord ConvertOne(const ImageConverter& converter, const ConvertJob& job,
                       tbb::task_arena& arena) {
  ImageRecord record;
  try {
    arena.execute([&] { record = converter.Convert(job); });
  } catch (const std::bad_alloc&) {
    record = ImageRecord();
    record.input = job.input.path;
    record.relative = job.input.relative;
    record.Fail("worker", Status(StatusCode::kLimitExceeded,
                                 record.input + ": out of memory (the worker's memory cap)"));
  }
  return record;
}

}  // namespace

Status ServeJobs(const WorkerOptions& options, const ConvertSettings& settings) {
  PIXFLOW_RETURN_IF_ERROR(FollowSupervisor(options.supervisor));
  PIXFLOW_RETURN_IF_ERROR(CapMemory(options.memory_limit));
  PIXFLOW_RETURN_IF_ERROR(wire::Send(options.fd, wire::Frame{wire::Kind::kReady, {}}));
  PIXFLOW_ASSIGN_OR_RETURN(std::optional<wire::Frame> first, wire::Receive(options.fd));
  if (!first) return Status::Ok();  // the supervisor had nothing for us
  io::WalkResult walk;
  PIXFLOW_ASSIGN_OR_RETURN(walk.input_ids, wire::InputsFromFrame(*first));
  const ImageConverter converter(settings, walk);
  tbb::task_arena arena(std::max(1, options.threads));
  while (true) {
    PIXFLOW_ASSIGN_OR_RETURN(std::optional<wire::Frame> frame, wire::Receive(options.fd));
    if (!frame) return Status::Ok();
    PIXFLOW_ASSIGN_OR_RETURN(const ConvertJob job, wire::JobFromFrame(*frame));
    const ImageRecord record = ConvertOne(converter, job, arena);
    PIXFLOW_RETURN_IF_ERROR(wire::Send(
        options.fd,
        wire::Frame{wire::Kind::kResult, {RecordToJson(record), std::to_string(PeakRssKib())}}));
  }
}

Result<uint64_t> ParseMemorySize(std::string_view text) {
  double value = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string_view unit = text.substr(static_cast<size_t>(end - text.data()));
  double scale = -1;
  if (unit.empty() || unit == "B" || unit == "b") scale = 1;
  const char* const kUnits = "KMGT";
  for (int i = 0; i < 4 && !unit.empty(); ++i) {
    const char upper = static_cast<char>(unit[0] & ~0x20);
    if (upper == kUnits[i] &&
        (unit.size() == 1 || unit.substr(1) == "iB" || unit.substr(1) == "B")) {
      scale = static_cast<double>(uint64_t{1} << (10 * (i + 1)));
    }
  }
  if (error != std::errc() || value <= 0 || scale < 0) {
    return InvalidArgument("memory size '" + std::string(text) +
                           "': expected a number with an optional unit K, M, G or T, e.g. 2G");
  }
  return static_cast<uint64_t>(value * scale);
}

}  // namespace pixflow::pipeline
