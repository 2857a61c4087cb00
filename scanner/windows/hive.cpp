// The libhivex helpers shared by windows/registry.cpp and windows/certificate_stores.cpp.
#include "windows/hive.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>

#include "windows/registry.hpp"

namespace trustscan::windows::detail {

std::string errno_text(int err) { return std::generic_category().message(err); }

/// Opens read-only: flags 0 means no HIVEX_OPEN_WRITE, so hivex maps the file PROT_READ and
/// never writes back (hivex_commit refuses a handle opened without write).
Result<HivePtr> open_hive(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec) return fail(Errc::Io, "cannot stat hive " + path.string() + ": " + ec.message());
  if (!std::filesystem::is_regular_file(status))
    return fail(Errc::Malformed, "hive " + path.string() + " is not a regular file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(Errc::Io, "cannot stat hive " + path.string() + ": " + ec.message());
  if (size > kMaxHiveSize) return fail(Errc::TooLarge, "hive " + path.string() + " is larger than the limit");
  errno = 0;
  HivePtr h{hivex_open(path.c_str(), 0)};
  if (!h) {
    const int err = errno;
    if (err == ENOENT || err == EACCES || err == EPERM || err == EIO || err == EMFILE)
      return fail(err == EACCES || err == EPERM ? Errc::PermissionDenied : Errc::Io,
                  "cannot open hive " + path.string() + ": " + errno_text(err));
    return fail(Errc::Malformed,
                "not a valid registry hive: " + path.string() + (err ? " (" + errno_text(err) + ")" : std::string{}));
  }
  return h;
}

hive_node_h child(hive_h* h, hive_node_h node, const char* name) {
  if (node == 0) return 0;
  errno = 0;
  return hivex_node_get_child(h, node, name);
}

hive_node_h path_node(hive_h* h, hive_node_h node, std::initializer_list<const char*> names) {
  for (const char* name : names) node = child(h, node, name);
  return node;
}

void cut(std::string& s) {
  if (s.size() <= kMaxRegistryString) return;
  std::size_t n = kMaxRegistryString;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // keep UTF-8 whole
  s.resize(n);
}

std::optional<std::string> node_name(hive_h* h, hive_node_h node) {
  Malloced<char> name{hivex_node_name(h, node)};
  if (!name) return std::nullopt;
  std::string out{name.get(), ::strnlen(name.get(), kMaxRegistryString * 2)};
  cut(out);
  return out;
}

std::optional<std::vector<hive_node_h>> children(hive_h* h, hive_node_h node, std::size_t limit, bool& truncated) {
  errno = 0;
  Malloced<hive_node_h> list{hivex_node_children(h, node)};
  if (!list) return std::nullopt;
  std::vector<hive_node_h> out;
  for (std::size_t i = 0; list.get()[i] != 0; ++i) {
    if (out.size() == limit) {
      truncated = true;
      break;
    }
    out.push_back(list.get()[i]);
  }
  return out;
}

}  // namespace trustscan::windows::detail
