#pragma once
/// \file
/// Internal to windows/: the libhivex handle and the key-walking helpers shared by the readers of
/// a hive (registry.cpp: services and version; certificate_stores.cpp: certificate stores).
/// Library quarantine: only windows/*.cpp include this header (and so <hivex.h>); the public
/// headers of windows/ stay hivex-free.

#include <hivex.h>

#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace trustscan::windows::detail {

struct HiveCloser {
  void operator()(hive_h* h) const noexcept { hivex_close(h); }
};
using HivePtr = std::unique_ptr<hive_h, HiveCloser>;

struct FreeDeleter {
  void operator()(void* p) const noexcept { std::free(p); }
};
template <class T>
using Malloced = std::unique_ptr<T, FreeDeleter>;

/// Opens `path` read-only (never HIVEX_OPEN_WRITE). Errors: Io (cannot open), PermissionDenied,
/// TooLarge (> kMaxHiveSize), Malformed (not a regular file, not a hive).
[[nodiscard]] Result<HivePtr> open_hive(const std::filesystem::path& path);
/// Child by name (hivex compares case-insensitively, like Windows). 0 when absent or unreadable
/// (or when `node` is 0).
[[nodiscard]] hive_node_h child(hive_h* h, hive_node_h node, const char* name);
/// The key reached by following `names` from `node`; 0 when one is missing.
[[nodiscard]] hive_node_h path_node(hive_h* h, hive_node_h node, std::initializer_list<const char*> names);
/// Cuts `s` to kMaxRegistryString bytes, keeping UTF-8 sequences whole.
void cut(std::string& s);
/// A key's name as UTF-8 (cut), nullopt when unreadable.
[[nodiscard]] std::optional<std::string> node_name(hive_h* h, hive_node_h node);
/// Children of a key, at most `limit` of them (`truncated` set when there were more); nullopt
/// when the key cannot be read.
[[nodiscard]] std::optional<std::vector<hive_node_h>> children(hive_h* h, hive_node_h node, std::size_t limit,
                                                               bool& truncated);
/// The text of errno value `err`.
[[nodiscard]] std::string errno_text(int err);

}  // namespace trustscan::windows::detail
