#include "app/report_output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "app/dated_path.hpp"
#include "app/report_file_buf.hpp"
#include "app/table_view.hpp"
#include "core/fd.hpp"

namespace trustscan::app {
namespace {

/// fsync(2) of a directory by name: its new entry is on disk before anyone relies on it, even
/// across a power cut (the report's own bytes are synced through its descriptor: write_file).
bool sync_path(const std::string& path) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  return fd && ::fsync(fd.get()) == 0;
}

void emit(const pipeline::ScanResult& result, const report::OutputFormat& format, const report::RunInfo& run,
          std::ostream& out) {
  format.write(result, run, out);
}

/// Writes the report to `path` via a temporary file in the same directory and a rename, so a
/// full disk or an interrupted write never leaves a truncated report under the final name.
bool write_file(const std::string& path, const pipeline::ScanResult& result, const report::OutputFormat& format,
                const report::RunInfo& run, std::ostream& err) {
  // A device or a FIFO (-o /dev/null, -o /dev/stdout, a named pipe) is written to in place: the
  // rename below would replace the node itself by a regular file (as root, /dev/null for the
  // whole machine).
  if (struct stat st{}; ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    std::ofstream f(path, std::ios::binary);
    if (!f) {
      err << "trustscan: cannot write " << path << ": " << std::strerror(errno) << '\n';
      return false;
    }
    emit(result, format, run, f);
    f.flush();
    if (!f) {
      err << "trustscan: writing " << path << " failed\n";
      return false;
    }
    return true;
  }
  // A fresh temporary beside the target (O_EXCL: never through a planted symlink).
  std::string tmp = path + ".partial-XXXXXX";
  // Closed on every return, and when the report's writer throws.
  const Fd fd(::mkstemp(tmp.data()));
  if (!fd) {
    err << "trustscan: cannot write " << path << ": cannot create a temporary file beside it: " << std::strerror(errno)
        << '\n';
    return false;
  }
  // mkstemp creates 0600; a report gets what any new file of this process would (0666 & ~umask:
  // 0640 under the unit's UMask=0027), a file for other daemons' users 0644 (readable_by_all).
  // umask() can only be read by setting it: nothing else runs now.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd.get(), format.readable_by_all ? 0644 : 0666 & ~mask);
  {
    ReportFileBuf buffer(fd.get());
    std::ostream f(&buffer);
    emit(result, format, run, f);
    if (!buffer.finish()) f.setstate(std::ios::badbit);
    if (!f) {
      err << "trustscan: writing " << path << " failed (disk full?)\n";
      std::remove(tmp.c_str());
      return false;
    }
  }
  // The bytes on disk before the new name points at them.
  if (::fsync(fd.get()) != 0) {
    err << "trustscan: writing " << path << " failed: cannot flush " << tmp << " to disk: " << std::strerror(errno)
        << '\n';
    std::remove(tmp.c_str());
    return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    err << "trustscan: cannot rename " << tmp << " to " << path << ": " << ec.message() << '\n';
    std::remove(tmp.c_str());
    return false;
  }
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  sync_path(dir.empty() ? "." : dir.string());  // the new name too; a failure here loses nothing written
  return true;
}

}  // namespace

bool write_report(const pipeline::ScanResult& result, const report::OutputFormat& format, const report::RunInfo& run,
                  const std::string& path, std::ostream& out, std::ostream& err) {
  if (!path.empty() && path != "-") return write_file(path, result, format, run, err);  // "-": standard output
  emit(result, format, run, out);
  out.flush();
  if (!out) {
    err << "trustscan: writing the report to standard output failed\n";
    return false;
  }
  return true;
}

RunOutcome write_outputs(const std::vector<OutputSpec>& outputs, const pipeline::ScanResult& result,
                         const report::RunInfo& run, std::time_t when, std::size_t keep, std::ostream& out,
                         std::ostream& err) {
  RunOutcome outcome;
  outcome.baseline = run.baseline;
  for (const OutputSpec& spec : outputs) {
    OutputSpec expanded = spec;
    expanded.path = expand_dated_pattern(spec.path, when);
    report::RunInfo this_run = run;  // the table's width is the width of the stream it goes to
    this_run.table.width = table_width(expanded.path.empty() || expanded.path == "-" ? STDOUT_FILENO : -1,
                                       std::getenv("COLUMNS"));
    if (!write_report(result, spec.format, this_run, expanded.path, out, err)) {
      err << "trustscan: output " << expanded.label() << " was not written\n";
      outcome.failed.push_back(expanded.label());
      continue;
    }
    outcome.written.push_back(expanded.label());
    if (keep > 0 && is_dated_pattern(spec.path)) prune_dated_reports(spec.path, keep, expanded.path, err);
  }
  return outcome;
}

}  // namespace trustscan::app
