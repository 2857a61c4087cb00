#include "windows/code_integrity.hpp"

#include <hivex.h>

#include <cerrno>
#include <string>

#include "windows/hive.hpp"

namespace trustscan::windows {

Result<std::optional<bool>> read_secure_boot_state(const std::filesystem::path& hive, std::string_view control_set) {
  auto h = detail::open_hive(hive);
  if (!h) return std::unexpected(h.error());
  const std::string set(control_set);
  const hive_node_h node = detail::path_node(h->get(), hivex_root(h->get()),
                                             {set.c_str(), "Control", "SecureBoot", "State"});
  const hive_value_h value = node != 0 ? hivex_node_get_value(h->get(), node, "UEFISecureBootEnabled") : 0;
  hive_type type{};
  std::size_t length = 0;
  if (value == 0 || hivex_value_type(h->get(), value, &type, &length) != 0 || length != 4) return std::nullopt;
  errno = 0;
  const std::int32_t enabled = hivex_value_dword(h->get(), value);
  if (errno != 0) return std::nullopt;  // not a REG_DWORD (hivex sets EINVAL)
  return enabled != 0;
}

}  // namespace trustscan::windows
