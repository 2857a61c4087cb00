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
#include <streambuf>

#include "app/dated_path.hpp"
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

/// The stream buffer of a report file: written with write(2) (every byte, or an error), and
/// each 2 MiB handed to the disk as soon as it is written (sync_file_range WRITE: the writeback
/// starts, nothing waits), so that the fsync after the last byte waits only for the tail. A
/// 22 MB JSON report's fsync took 13-15 ms at the end of a scan that lasts 0.2 s (a cached
/// re-scan) before; with 8 MiB at a time 2.7-3.0 ms, with 2 MiB 1.1-1.4 ms.
class WritebackBuf : public std::streambuf {
 public:
  explicit WritebackBuf(int fd) : fd_(fd) { setp(buffer_, buffer_ + sizeof buffer_); }
  WritebackBuf(const WritebackBuf&) = delete;
  WritebackBuf& operator=(const WritebackBuf&) = delete;
  ~WritebackBuf() override = default;  // (the owner flushes and checks; the fd is the owner's)

 protected:
  int_type overflow(int_type c) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (n <= epptr() - pptr()) {  // fits: buffered
      std::memcpy(pptr(), s, static_cast<std::size_t>(n));
      pbump(static_cast<int>(n));
      return n;
    }
    // (A batch of records, megabytes at once: written as it is, after what is buffered.)
    return drain() && put(s, static_cast<std::size_t>(n)) ? n : 0;
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  static constexpr off_t kWindow = off_t{2} << 20;

  bool drain() {
    const auto n = static_cast<std::size_t>(pptr() - pbase());
    setp(buffer_, buffer_ + sizeof buffer_);
    return put(buffer_, n);
  }
  bool put(const char* s, std::size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(fd_, s, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      s += w;
      n -= static_cast<std::size_t>(w);
      written_ += w;
    }
    if (written_ - handed_ >= kWindow) {  // a hint: a file system without it (ENOSYS) changes nothing
      (void)::sync_file_range(fd_, handed_, written_ - handed_, SYNC_FILE_RANGE_WRITE);
      handed_ = written_;
    }
    return true;
  }

  int fd_;
  off_t written_ = 0;  ///< bytes written to the file
  off_t handed_ = 0;   ///< bytes whose writeback was started
  char buffer_[64 * 1024];
};

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
    WritebackBuf buffer(fd.get());
    std::ostream f(&buffer);
    emit(result, format, run, f);
    f.flush();
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
