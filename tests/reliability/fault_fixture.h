// What every case of the fault matrix checks of a finished `pixflow convert` run (docs/
// reliability.md): it exited with the documented code and not by a signal; each bad input has
// a failed record naming the file, with the stage and the reason, and is named on stderr; each
// good input was converted and its outputs are whole, decodable files; and the output tree holds
// those outputs and nothing else: no partial, zero-byte, hidden or temporary file.
#pragma once

#include <sys/stat.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "convert_cli_fixture.h"

namespace pixflow::test {

struct BadInput {
  fs::path path;
  std::string stage;   // "decode", "write", ...
  std::string reason;  // a part of the error after the file name
};

struct Outcome {
  int exit_code = 0;
  std::vector<fs::path> good;  // converted, each output whole
  std::vector<BadInput> bad;   // failed alone
};

class FaultMatrixTest : public ConvertCliTest {
 protected:
  // `pixflow convert INPUT -o OUT --report REPORT extra...`.
  std::vector<std::string> Command(const fs::path& input, const fs::path& out,
                                   const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args = {"convert",    input.string(), "-o",
                                     out.string(), "--report",     At("report.json").string(),
                                     "--progress", "never"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // Checks `run` and its report against `expected`; returns the report's records by input.
  std::map<std::string, nlohmann::json> ExpectOutcome(const ProcessResult& run, const fs::path& out,
                                                      const Outcome& expected) const {
    EXPECT_EQ(run.signal, 0) << "killed by a signal\n" << run.err;
    EXPECT_EQ(run.exit_code, expected.exit_code) << run.err;
    const std::vector<nlohmann::json> report = ReadReport(At("report.json"));
    std::map<std::string, nlohmann::json> records;
    for (const nlohmann::json& line : report) {
      if (line.contains("input")) records[line["input"].get<std::string>()] = line;
    }
    EXPECT_FALSE(report.empty() || !report.back().contains("summary")) << "no summary";
    if (!report.empty() && report.back().contains("summary")) {
      const nlohmann::json& summary = report.back()["summary"];
      EXPECT_EQ(summary["exit_code"], expected.exit_code);
      EXPECT_EQ(summary["failed"].get<size_t>(), expected.bad.size());
    }
    for (const BadInput& bad : expected.bad) {
      SCOPED_TRACE(bad.path.string());
      const auto it = records.find(Reported(bad.path));
      EXPECT_NE(it, records.end()) << "no record for it";
      if (it == records.end()) continue;
      const nlohmann::json& record = it->second;
      EXPECT_EQ(record["status"], "failed") << record;
      EXPECT_EQ(record["stage"], bad.stage) << record;
      const std::string error =
          record["error"].is_string() ? record["error"].get<std::string>() : std::string();
      EXPECT_TRUE(Contains(error, Reported(bad.path))) << error;
      EXPECT_TRUE(Contains(error, bad.reason)) << error;
      EXPECT_TRUE(Contains(run.err, bad.path.string())) << run.err;
      for (const nlohmann::json& output : record["outputs"]) {
        EXPECT_FALSE(fs::exists(output["path"].get<std::string>())) << output;
      }
    }
    // The files on disk, by the name the report gives them.
    std::map<std::string, fs::path> on_disk;
    for (const std::string& file : Files(out)) on_disk[Reported(out / file)] = out / file;
    std::set<std::string> expected_files;
    for (const fs::path& good : expected.good) {
      SCOPED_TRACE(good.string());
      const auto it = records.find(Reported(good));
      EXPECT_NE(it, records.end()) << "no record for it";
      if (it == records.end()) continue;
      EXPECT_EQ(it->second["status"], "converted") << it->second;
      for (const nlohmann::json& output : it->second["outputs"]) {
        const std::string reported = output["path"].get<std::string>();
        const auto file = on_disk.find(reported);
        EXPECT_NE(file, on_disk.end()) << reported << " is not on disk";
        if (file == on_disk.end()) continue;
        EXPECT_EQ(output["bytes"].get<uintmax_t>(), FileSize(file->second)) << reported;
        ExpectWholeImage(file->second);
        expected_files.insert(reported);
      }
    }
    std::set<std::string> found;
    for (const auto& [reported, path] : on_disk) found.insert(reported);
    EXPECT_EQ(found, expected_files) << "the output tree holds exactly the good outputs";
    ExpectNoLeftovers(out);
    return records;
  }

  // How the report spells `path`: JSON is UTF-8, so bytes that are not become U+FFFD.
  static std::string Reported(const fs::path& path) {
    const std::string json = nlohmann::json(path.string())
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return nlohmann::json::parse(json).get<std::string>();
  }
  static uintmax_t FileSize(const fs::path& path) {
    std::error_code error;
    const uintmax_t size = fs::file_size(path, error);
    return error ? 0 : size;
  }
  // Decodes to the last byte, with truncation and errors failing it.
  static void ExpectWholeImage(const fs::path& path) {
    io::DecodeOptions strict;
    strict.fail_on = io::FailOn::kError;
    const Result<io::DecodedImage> decoded = io::Decode(path, strict);
    EXPECT_TRUE(decoded.ok()) << decoded.status().message();
  }
  // No hidden (temporary) or empty file anywhere under `out`.
  static void ExpectNoLeftovers(const fs::path& out) {
    for (const std::string& entry : Tree(out)) {
      const fs::path path(entry);
      for (const fs::path& part : path) {
        EXPECT_NE(part.string().front(), '.') << "hidden or temporary: " << entry;
      }
      if (entry.back() != '/') {
        EXPECT_GT(FileSize(out / entry), 0u) << "empty: " << entry;
      }
    }
  }
  // Bytes of a file as a string (for truncating and corrupting).
  static std::string Bytes(const std::vector<uint8_t>& bytes) {
    return std::string(bytes.begin(), bytes.end());
  }
  // A `width`x`height` scene with `channels` encoded as `format`.
  static std::string Encoded(const char* format, int width, int height, int channels = 3) {
    const Image8 image = SceneImage(width, height, channels, 5);
    Result<std::vector<uint8_t>> bytes = io::Encode(image.view(), {format, 0});
    EXPECT_TRUE(bytes.ok()) << format << ": " << bytes.status().message();
    return bytes.ok() ? Bytes(*bytes) : std::string();
  }
};

}  // namespace pixflow::test
