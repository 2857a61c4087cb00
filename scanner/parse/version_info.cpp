#include "parse/version_info.hpp"

#include "core/bytes.hpp"
#include "core/utf16.hpp"

#include <cstdint>
#include <optional>

namespace trustscan::parse {
namespace {

using Bytes = std::span<const std::byte>;

std::size_t align4(std::size_t at) { return (at + 3) & ~std::size_t{3}; }

/// One block header: where its key, value and children lie (all clamped to the block).
struct Block {
  std::size_t end = 0;          ///< first byte after the block
  std::size_t key_begin = 0, key_end = 0;
  std::size_t value_begin = 0;  ///< value runs to `children` (text) or wValueLength bytes
  std::size_t children = 0;     ///< first child block
};

/// The block at `at`, which must end by `limit`; nullopt when it does not fit.
std::optional<Block> read_block(Bytes d, std::size_t at, std::size_t limit) {
  if (at > limit || limit - at < 6) return std::nullopt;
  // wLength, wValueLength, wType
  const auto length = read_le<std::uint16_t>(d, at);
  const auto value_length = read_le<std::uint16_t>(d, at + 2);
  const auto type = read_le<std::uint16_t>(d, at + 4);
  if (!length || !value_length || !type || *length < 6 || *length > limit - at) return std::nullopt;
  Block b;
  b.end = at + *length;
  const bool text = *type == 1;
  b.key_begin = at + 6;
  std::size_t p = b.key_begin;
  for (; p + 2 <= b.end; p += 2) {  // the key runs to a NUL unit
    const auto unit = read_le<std::uint16_t>(d, p);
    if (!unit || *unit == 0) break;
  }
  b.key_end = p;
  p = std::min(p + 2, b.end);  // the NUL
  b.value_begin = std::min(align4(p), b.end);
  const std::size_t value_bytes = text ? 2 * std::size_t{*value_length} : *value_length;
  b.children = std::min(align4(b.value_begin + std::min(value_bytes, b.end - b.value_begin)), b.end);
  return b;
}

std::string key_of(Bytes d, const Block& b) {
  return utf16le_to_utf8(d.subspan(b.key_begin, b.key_end - b.key_begin), 4 * kMaxVersionKeyChars);
}

/// Calls `f(block)` for each child of [begin, end), at most `budget` blocks in all.
template <class F>
void for_each_child(Bytes d, std::size_t begin, std::size_t end, std::size_t& budget, F&& f) {
  std::size_t at = begin;
  while (budget > 0) {
    auto b = read_block(d, at, end);
    if (!b) return;
    --budget;
    f(*b);
    at = align4(b->end);  // wLength >= 6: always moves forward
  }
}

}  // namespace

std::string utf16le_to_utf8(std::span<const std::byte> units, std::size_t max_bytes) {
  return utf16_to_utf8(units, ByteOrder::Little, max_bytes);
}

std::vector<std::pair<std::string, std::string>> read_version_strings(std::span<const std::byte> resource,
                                                                      std::size_t max_value_bytes) {
  std::vector<std::pair<std::string, std::string>> out;
  const Bytes d = resource;
  auto root = read_block(d, 0, d.size());
  if (!root) return out;
  std::size_t budget = kMaxVersionBlocks;
  for_each_child(d, root->children, root->end, budget, [&](const Block& info) {
    if (key_of(d, info) != "StringFileInfo") return;  // VarFileInfo: translations only
    for_each_child(d, info.children, info.end, budget, [&](const Block& table) {
      for_each_child(d, table.children, table.end, budget, [&](const Block& s) {
        out.emplace_back(key_of(d, s),
                         utf16le_to_utf8(d.subspan(s.value_begin, s.end - s.value_begin), max_value_bytes));
      });
    });
  });
  return out;
}

std::optional<FileVersion> read_fixed_file_version(std::span<const std::byte> resource) {
  const Bytes d = resource;
  auto root = read_block(d, 0, d.size());
  // VS_FIXEDFILEINFO: 13 DWORDs; the version is DWORDs 2 and 3.
  if (!root || root->children < root->value_begin + 16) return std::nullopt;
  const auto signature = read_le<std::uint32_t>(d, root->value_begin);
  const auto ms = read_le<std::uint32_t>(d, root->value_begin + 8);
  const auto ls = read_le<std::uint32_t>(d, root->value_begin + 12);
  if (signature != 0xFEEF04BDU || !ms || !ls) return std::nullopt;
  return FileVersion{std::uint64_t{*ms} << 32 | *ls};
}

void apply_version_resource(std::span<const std::byte> resource, std::optional<FileVersion>& file_version,
                            std::map<std::string, std::string>& strings, std::size_t max_value_bytes) {
  file_version = read_fixed_file_version(resource);
  for (auto& [key, value] : read_version_strings(resource, max_value_bytes)) {
    while (!value.empty() && (value.back() == ' ' || value.back() == '\0')) value.pop_back();
    strings.try_emplace(std::move(key), std::move(value));
  }
}

}  // namespace trustscan::parse
