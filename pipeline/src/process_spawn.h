// Starting and ending worker processes for the supervisor (process_supervisor.cc): spawning
// with the worker's socket on kWorkerFd, reaping with a bounded wait, and saying how a process
// ended in words.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "pixflow/filters/status.h"

namespace pixflow::pipeline {

struct SpawnedWorker {
  pid_t pid = -1;
  int fd = -1;  // the supervisor's end of the socket: close-on-exec, non-blocking
};

// posix_spawn of `program` with `arguments` (argv), its end of a new socketpair on kWorkerFd,
// stdin from /dev/null, stdout onto stderr, default signal handling, and its own process group,
// so a Ctrl-C typed at the terminal reaches only the supervisor, which decides what workers do.
Result<SpawnedWorker> SpawnWorker(const std::string& program,
                                  const std::vector<std::string>& arguments);

struct Exit {
  int status = 0;             // as waitpid reports it
  uint64_t peak_rss_kib = 0;  // the process's ru_maxrss
};

// Reaps `pid`: waits up to `patience` for it to exit by itself, then kills it (SIGKILL) and
// waits for that. Never leaves a zombie.
Exit Reap(pid_t pid, std::chrono::milliseconds patience);

// "killed by SIGSEGV", "exited with status 3".
std::string DescribeExit(int status);

// Sends all of `bytes` on a non-blocking socket, waiting for room at most until `deadline`;
// kDeadlineExceeded-like kInternal error when the peer does not read (it may be stopped).
Status SendWithin(int fd, const std::string& bytes, std::chrono::steady_clock::time_point deadline);

}  // namespace pixflow::pipeline
