#include "windows/code_integrity.hpp"

#include <hivex.h>

#include <cerrno>
#include <memory>
#include <string>
#include <system_error>

namespace trustscan::windows {

Result<std::optional<bool>> read_secure_boot_state(const std::filesystem::path& hive, std::string_view control_set) {
  errno = 0;
  const std::unique_ptr<hive_h, int (*)(hive_h*)> h(hivex_open(hive.c_str(), 0), hivex_close);
  if (!h)
    return fail(Errc::Malformed, "cannot open the SYSTEM hive for its Secure Boot state" +
                                     (errno ? ": " + std::generic_category().message(errno) : std::string{}));
  hive_node_h node = hivex_root(h.get());
  const std::string set(control_set);
  for (const char* name : {set.c_str(), "Control", "SecureBoot", "State"})
    node = node != 0 ? hivex_node_get_child(h.get(), node, name) : 0;
  const hive_value_h value = node != 0 ? hivex_node_get_value(h.get(), node, "UEFISecureBootEnabled") : 0;
  hive_type type{};
  std::size_t length = 0;
  if (value == 0 || hivex_value_type(h.get(), value, &type, &length) != 0 || length != 4) return std::nullopt;
  errno = 0;
  const std::int32_t enabled = hivex_value_dword(h.get(), value);
  if (errno != 0) return std::nullopt;  // not a REG_DWORD (hivex sets EINVAL)
  return enabled != 0;
}

}  // namespace trustscan::windows
