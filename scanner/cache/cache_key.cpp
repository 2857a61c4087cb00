#include "cache/cache_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <span>

#include "cache/program_id.hpp"
#include "discover/walker.hpp"
#include "cache/record_codec.hpp"
#include "io/file_access.hpp"
#include "io/hashing.hpp"

namespace trustscan::cache {

std::string fingerprint(const Configuration& c) {
  std::string text = program_identity();
  text += "\nrecord-format " + std::to_string(kRecordFormat);
  text += "\nrules " + c.rules;
  text += "\ntrust " + c.trust;
  text += "\napple " + c.apple;
  for (const std::string& k : c.kernel_keys) text += "\nkernel-key " + k;
  text += std::string("\nmatch-all ") + (c.match_all ? "1" : "0");
  text += std::string("\nstrict-padding ") + (c.strict_padding ? "1" : "0");
  text += std::string("\nfile-digests ") + (c.file_sha1 ? "sha1" : "-") + (c.file_md5 ? " md5" : " -");
  const Limits& l = c.limits;
  for (std::uint64_t v :
       {l.max_file_size, l.max_parse_size, l.stream_threshold, l.max_decompressed_size,
        std::uint64_t{l.max_pe_sections}, std::uint64_t{l.max_macho_load_commands}, std::uint64_t{l.max_fat_slices},
        std::uint64_t{l.max_string_length}, std::uint64_t{l.max_imports}})
    text += "\nlimit " + std::to_string(v);
  return io::sha256_hex(std::as_bytes(std::span(text)));
}

bool unchanged_since_walk(const discover::FileRef& f, const io::FileSource& source, std::int64_t analysis_began) {
  if (f.ctime.sec > analysis_began - kRacySeconds) return false;
  const auto* dir = dynamic_cast<const io::RootDir*>(&source);
  if (!dir) return false;
  struct stat st {};
  if (::fstatat(dir->fd(), f.relative.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
  const discover::FileRef now = discover::file_ref(f.root_index, f.relative, f.path, st);
  return now.device == f.device && now.inode == f.inode && now.size == f.size && now.mtime == f.mtime &&
         now.ctime == f.ctime;
}

}  // namespace trustscan::cache
