// Fuzz target (a): what the pipeline does to a file's bytes before verification — sniff the
// format (identify/), decompress a compressed module (io/), hand the bytes to LIEF through the
// defusing copy (parse/prepare + parse/lief_*) and classify the model (parse/privilege).
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "identify/format.hpp"
#include "io/decompress.hpp"
#include "parse/parser.hpp"
#include "parse/privilege.hpp"

namespace ts = trustscan;

namespace {

/// The pipeline's limits, with the decompression bound lowered so that a decompression bomb
/// stays under libFuzzer's -rss_limit_mb (the bound itself is what is being exercised).
ts::Limits fuzz_limits() {
  ts::Limits l;
  l.max_decompressed_size = 32ull << 20;
  return l;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ts::Limits limits = fuzz_limits();
  std::span<const std::byte> bytes = ts::fuzz::as_bytes(data, size);
  // Compressed modules are recognised by name and magic; name the input after its magic.
  const bool zstd = size >= 4 && data[0] == 0x28 && data[1] == 0xb5;
  const char* name = zstd ? "/lib/modules/fuzz/kernel/fuzz.ko.zst" : "/lib/modules/fuzz/kernel/fuzz.ko.xz";
  const auto prefix = bytes.first(std::min(bytes.size(), ts::identify::kSniffBytes));
  ts::identify::Identity id = ts::identify::sniff(prefix, bytes.size(), name);

  std::vector<std::byte> inflated;
  if (id.compression != ts::Compression::None) {
    auto out = ts::io::decompress(id.compression, bytes, limits.max_decompressed_size);
    if (!out) return 0;
    inflated = std::move(*out);
    bytes = inflated;
    id = ts::identify::sniff(bytes.first(std::min(bytes.size(), ts::identify::kSniffBytes)), bytes.size(), "");
    if (id.format != ts::Format::Elf) return 0;
  }
  if (id.format == ts::Format::Unknown) return 0;
  auto model = ts::parse::parse_binary(id.format, bytes, limits);
  if (!model) return 0;
  const ts::parse::Classification c = ts::parse::classify(*model, name);
  (void)c;
  return 0;
}
