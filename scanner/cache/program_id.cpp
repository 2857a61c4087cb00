#include "cache/program_id.hpp"

#include <elf.h>
#include <link.h>

#include <array>
#include <cstring>
#include <string_view>

namespace trustscan::cache {
namespace {

/// Libraries whose code decides cached facts (parse, verify, match, decompression).
constexpr std::array<std::string_view, 5> kLibraries{"libLIEF", "libyara", "libcrypto", "liblzma", "libzstd"};

std::string hex(const unsigned char* p, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[p[i] >> 4];
    out += kDigits[p[i] & 0xf];
  }
  return out;
}

/// The NT_GNU_BUILD_ID of one loaded object, from its PT_NOTE segments in memory.
std::string build_id(const dl_phdr_info& info) {
  for (int i = 0; i < info.dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info.dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const auto* p = reinterpret_cast<const unsigned char*>(info.dlpi_addr + ph.p_vaddr);
    std::size_t left = ph.p_memsz;
    while (left >= sizeof(ElfW(Nhdr))) {
      ElfW(Nhdr) note;
      std::memcpy(&note, p, sizeof note);
      const std::size_t name_size = (note.n_namesz + 3u) & ~std::size_t{3};
      const std::size_t desc_size = (note.n_descsz + 3u) & ~std::size_t{3};
      const std::size_t total = sizeof note + name_size + desc_size;
      if (total > left) break;
      const auto* name = p + sizeof note;
      if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0)
        return hex(name + name_size, note.n_descsz);
      p += total;
      left -= total;
    }
  }
  return {};
}

int visit(dl_phdr_info* info, std::size_t, void* data) {
  auto& out = *static_cast<std::string*>(data);
  const std::string_view path = info->dlpi_name ? info->dlpi_name : "";
  std::string_view label;
  if (path.empty()) {
    if (!out.contains("\nprogram ")) label = "program";  // the first object without a name: the executable
  } else {
    const std::string_view file = path.substr(path.find_last_of('/') + 1);
    for (std::string_view lib : kLibraries)
      if (file.starts_with(lib)) label = file;
  }
  if (!label.empty()) out += "\n" + std::string(label) + " " + build_id(*info);
  return 0;
}

}  // namespace

std::string program_identity() {
  std::string out = std::string("trustscan ") + TRUSTSCAN_VERSION;
  dl_iterate_phdr(visit, &out);
  return out;
}

}  // namespace trustscan::cache
