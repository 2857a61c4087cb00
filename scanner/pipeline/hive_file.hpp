#pragma once
/// \file
/// pipeline/ internal: a hive of a Windows image handed to a libhivex reader of windows/.

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "io/file_access.hpp"
#include "io/file_source.hpp"
#include "windows/registry.hpp"

namespace trustscan::pipeline {

/// Reads `relative` beneath `dir` (O_NOATIME, no symlinks; or through libtsk from an image) and
/// hands libhivex a copy in a memfd: libhivex opens hives by name and without O_NOATIME, so letting
/// it reopen the file would change the evidence's access time (and a hive inside an image has no
/// name to open); a private copy also cannot be truncated under its mmap.
template <typename Reader>
auto read_hive(const io::FileSource& dir, const std::string& relative, Reader reader)
    -> decltype(reader(std::filesystem::path{})) {
  auto contents = dir.read_file(relative, windows::kMaxHiveSize);
  if (!contents) return std::unexpected(contents.error());
  int mem = ::memfd_create("trustscan-hive", MFD_CLOEXEC);
  if (mem < 0) return fail(Errc::Io, std::string("memfd_create: ") + std::strerror(errno));
  io::FdGuard mem_guard(mem);
  auto bytes = contents->bytes();
  for (std::size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(mem, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(Errc::Io, std::string("memfd write: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  return reader("/proc/self/fd/" + std::to_string(mem));
}

}  // namespace trustscan::pipeline
