#include "app/report_file_buf.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

namespace trustscan::app {
namespace {

/// The alignment O_DIRECT asks of a buffer, its offset and its length: the device's logical block
/// (512 or 4096 bytes on the usual disks; a larger one refuses the write: EINVAL, the fallback).
constexpr std::size_t kAlign = 4096;
static_assert(ReportFileBuf::kBlock % kAlign == 0);

/// pwrite(2) of every byte, or false (errno set).
bool write_all(int fd, const char* p, std::size_t n, off_t at) noexcept {
  while (n > 0) {
    const ssize_t w = ::pwrite(fd, p, n, at);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      if (w == 0) errno = EIO;
      return false;
    }
    p += w;
    at += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

/// Sets or clears O_DIRECT on `fd`'s open file; false when the file system refuses it.
bool set_direct(int fd, bool on) noexcept {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return false;
  return ::fcntl(fd, F_SETFL, on ? flags | O_DIRECT : flags & ~O_DIRECT) == 0;
}

}  // namespace

void ReportFileBuf::FreeBlock::operator()(char* p) const noexcept { std::free(p); }

ReportFileBuf::ReportFileBuf(int fd) : fd_(fd) {
  for (auto& b : blocks_) {
    b.reset(static_cast<char*>(std::aligned_alloc(kAlign, kBlock)));
    if (!b) throw std::bad_alloc();
  }
  setp(blocks_[0].get(), blocks_[0].get() + kBlock);
  for (std::size_t i = 1; i < kBlocks; ++i) free_.push_back(blocks_[i].get());
  writer_ = std::thread([this] { write_loop(); });
}

ReportFileBuf::~ReportFileBuf() { (void)stop(); }

// A block is handed over as soon as xsputn fills it, so that what finish() writes is less than
// one. One filled by single characters (sputc writes into it directly) is handed over by the
// next character. After finish() nothing more is taken.

ReportFileBuf::int_type ReportFileBuf::overflow(int_type c) {
  if (pbase() == nullptr || (pptr() == epptr() && !hand_over())) return traits_type::eof();
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  const char_type ch = traits_type::to_char_type(c);
  return xsputn(&ch, 1) == 1 ? c : traits_type::eof();
}

std::streamsize ReportFileBuf::xsputn(const char* s, std::streamsize n) {
  std::streamsize done = 0;
  while (done < n && pptr() != epptr()) {
    const std::streamsize k = std::min<std::streamsize>(epptr() - pptr(), n - done);
    std::memcpy(pptr(), s + done, static_cast<std::size_t>(k));
    pbump(static_cast<int>(k));
    done += k;
    if (pptr() == epptr() && !hand_over()) break;
  }
  return done;
}

bool ReportFileBuf::hand_over() {
  std::unique_lock lock(lock_);
  if (failed_ || done_) return false;
  full_.push_back({pbase(), offset_});
  offset_ += static_cast<off_t>(kBlock);
  changed_.notify_all();
  changed_.wait(lock, [&] { return !free_.empty() || failed_; });
  if (failed_) return false;
  char* next = free_.back();
  free_.pop_back();
  setp(next, next + kBlock);
  return true;
}

bool ReportFileBuf::stop() {
  {
    const std::lock_guard lock(lock_);
    done_ = true;
    changed_.notify_all();
  }
  if (writer_.joinable()) writer_.join();
  const std::lock_guard lock(lock_);
  return !failed_;
}

bool ReportFileBuf::finish() {
  if (!stop()) return false;
  // The tail is not a whole block: through the page cache (O_DIRECT would refuse its length).
  if (direct_ && !set_direct(fd_, false)) return false;
  const bool ok = write_all(fd_, pbase(), static_cast<std::size_t>(pptr() - pbase()), offset_);
  setp(nullptr, nullptr);  // nothing more is taken
  return ok;
}

void ReportFileBuf::write_loop() {
  bool direct = set_direct(fd_, true);
  std::unique_lock lock(lock_);
  for (;;) {
    changed_.wait(lock, [&] { return !full_.empty() || done_; });
    if (full_.empty()) break;  // done, and every block written
    const Full f = full_.front();
    full_.pop_front();
    lock.unlock();
    bool ok = write_all(fd_, f.block, kBlock, f.offset);
    if (!ok && direct && errno == EINVAL) {  // the file system's O_DIRECT refused it: cached from here on
      direct = false;
      ok = set_direct(fd_, false) && write_all(fd_, f.block, kBlock, f.offset);
    }
    // A hint: a file system without it (ENOSYS) changes nothing.
    if (ok && !direct) (void)::sync_file_range(fd_, f.offset, static_cast<off_t>(kBlock), SYNC_FILE_RANGE_WRITE);
    lock.lock();
    free_.push_back(f.block);
    if (!ok) failed_ = true;
    changed_.notify_all();
    if (failed_) break;
  }
  direct_ = direct;
}

}  // namespace trustscan::app
