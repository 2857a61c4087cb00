#pragma once
/// \file
/// The stream buffer a report file is written through: past the page cache where the file
/// system allows it, with the disk writes on a thread of their own.

#include <sys/types.h>

#include <array>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <streambuf>
#include <thread>
#include <vector>

namespace trustscan::app {

/// A report's bytes go into one of kBlocks aligned blocks of kBlock bytes; a full block is
/// written by a thread of its own (pwrite with O_DIRECT: to the disk, not into the page cache)
/// while the next one fills; finish() writes the last, partial block through the page cache.
///
/// Why: a report is written once and read later, if at all, and it is synced before it is
/// renamed into place, so its bytes must reach the disk before the scan ends either way. Cached,
/// every byte of it took fresh memory: a 22 MB report was a quarter of what a cached re-scan
/// touched, and on a host that takes freed memory back (a virtual machine with free page
/// reporting) the costliest quarter (docs/performance.md, twenty-second round).
///
/// Where the file system refuses O_DIRECT (when the flag is set, or EINVAL for a block written
/// with it: that block and the rest), the blocks go through the page cache, each one's
/// writeback started at once (sync_file_range), so that the fsync after the last byte waits only
/// for the tail. Blocks are written in order, each at its own offset; the first failure stops
/// the writing and finish() says so.
class ReportFileBuf : public std::streambuf {
 public:
  static constexpr std::size_t kBlock = std::size_t{512} << 10;
  static constexpr std::size_t kBlocks = 4;

  /// Writes to `fd` (not owned) from its offset 0.
  explicit ReportFileBuf(int fd);
  ReportFileBuf(const ReportFileBuf&) = delete;
  ReportFileBuf& operator=(const ReportFileBuf&) = delete;
  ~ReportFileBuf() override;  ///< waits for the writer (what finish() did not write is lost)

  /// Writes what is left and waits for every block: true when every byte given was written.
  [[nodiscard]] bool finish();
  /// Whether the full blocks went past the page cache (O_DIRECT): known once finish() returned.
  [[nodiscard]] bool direct() const noexcept { return direct_; }

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;

 private:
  struct FreeBlock {
    void operator()(char* p) const noexcept;
  };
  struct Full {
    char* block;
    off_t offset;
  };

  bool hand_over();  ///< the block being filled to the writer, a free one to fill
  bool stop();       ///< no more blocks: waits for the writer; false when a write failed
  void write_loop();

  int fd_;
  std::array<std::unique_ptr<char, FreeBlock>, kBlocks> blocks_;
  off_t offset_ = 0;     ///< where the block being filled goes
  bool direct_ = false;  ///< (the writer's, read after it ended)
  std::mutex lock_;      ///< guards what follows
  std::condition_variable changed_;
  std::vector<char*> free_;
  std::deque<Full> full_;
  bool done_ = false;
  bool failed_ = false;
  std::thread writer_;  ///< last: started when the rest is ready
};

}  // namespace trustscan::app
