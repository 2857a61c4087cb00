#pragma once
/// \file
/// Decides a file's format from its first bytes, once. Never fails: anything unrecognised is
/// Format::Unknown and is skipped cheaply by the pipeline.

#include <cstddef>
#include <span>
#include <string_view>

#include "core/types.hpp"

namespace trustscan::identify {

/// Bytes the pipeline reads before deciding; enough for the DOS header + PE signature of every
/// real PE (e_lfanew is < 0x400 in practice) and for a fat Mach-O's arch table.
inline constexpr std::size_t kSniffBytes = 4096;

struct Identity {
  Format format = Format::Unknown;
  /// Non-None when the file is a compressed container whose payload must be sniffed again
  /// (only compressed kernel modules: name ends in .ko.xz / .ko.zst).
  Compression compression = Compression::None;
};

/// Sniffs `prefix` (the first kSniffBytes of the file, or all of it if shorter). `file_size`
/// is the whole file's size, used to sanity-check offsets; `file_name` only matters for
/// compressed modules.
[[nodiscard]] Identity sniff(std::span<const std::byte> prefix, std::uint64_t file_size,
                             std::string_view file_name);

/// True when a name looks like a Linux kernel module's (`.ko`, `.ko.xz`, `.ko.zst`, `.ko.gz`).
/// For scheduling only: what a file is, is decided by sniff() and the parser.
[[nodiscard]] bool looks_like_module(std::string_view file_name) noexcept;

}  // namespace trustscan::identify
