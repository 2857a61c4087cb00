#include "io/file_source.hpp"

#include <dirent.h>

#include <algorithm>

#include "core/ascii.hpp"

namespace trustscan::io {
namespace {

}  // namespace

std::optional<MountedFs> FileSource::foreign_filesystem(const std::string&) const { return std::nullopt; }

void FileSource::read_ahead(const std::string&, std::uint64_t, std::uint64_t) const {}

Result<std::string> FileSource::resolve_nocase(std::string_view relative) const {
  std::string resolved;
  while (!relative.empty()) {
    auto slash = relative.find('/');
    std::string_view component = relative.substr(0, slash);
    relative = slash == std::string_view::npos ? std::string_view{} : relative.substr(slash + 1);
    if (component.empty() || component == ".") continue;
    if (component == "..") return fail(Errc::Unsupported, "'..' in a Windows path");
    auto entries = list(resolved);
    if (!entries) return std::unexpected(entries.error());
    const DirEntry* hit = nullptr;
    for (const DirEntry& e : *entries) {
      if (e.type == DT_LNK || !iequals_ascii(e.name, component)) continue;
      if (e.name == component) {
        hit = &e;
        break;
      }
      if (!hit) hit = &e;
    }
    if (!hit) return fail(Errc::Io, "no such file: " + (resolved.empty() ? "" : resolved + "/") + std::string(component));
    resolved += (resolved.empty() ? "" : "/") + hit->name;
  }
  return resolved;
}

Result<FileContents> FileSource::read_file(const std::string& relative, std::uint64_t max_size) const {
  auto file = open_file(relative);
  if (!file) return std::unexpected(file.error());
  return (*file)->read_all(max_size);
}

Result<StreamedFile> StreamedFile::open(SourceFile& file, std::uint64_t max_size) {
  auto size = file.size();
  if (!size) return std::unexpected(size.error());
  if (max_size != 0 && *size > max_size)
    return fail(Errc::TooLarge, "file grew to " + std::to_string(*size) + " bytes since it was listed");
  return StreamedFile(file, *size);
}

Result<std::span<const std::byte>> StreamedFile::read(std::uint64_t offset, std::size_t length,
                                                      std::vector<std::byte>& scratch) const {
  if (offset > size_ || length > size_ - offset)
    return fail(Errc::Malformed,
                "range [" + std::to_string(offset) + ", +" + std::to_string(length) + ") lies outside the file");
  if (scratch.size() < length) scratch.resize(length);
  for (std::size_t got = 0; got < length;) {
    auto n = file_->read_at(offset + got, std::span(scratch).subspan(got, length - got));
    if (!n) return std::unexpected(n.error());
    if (*n == 0)
      return fail(Errc::Io, "the file ends at " + std::to_string(offset + got) + " bytes, before the " +
                                std::to_string(size_) + " it had when opened (truncated meanwhile)");
    got += *n;
  }
  return std::span<const std::byte>(scratch).first(length);
}

}  // namespace trustscan::io
