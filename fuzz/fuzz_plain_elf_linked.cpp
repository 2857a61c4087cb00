// Fuzz target: the plain reader of ELF executables and shared objects against LIEF
// (differential). On every input that parse::plain_linked_model takes, LIEF 0.9 (after
// prepare_for_lief, which must change nothing) must give the very same model; any difference, or
// LIEF failing where the plain reader did not, is a finding (the process aborts). Inputs the plain
// reader declines are LIEF's alone (fuzz_parse).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz_support.hpp"
#include "parse/lief_extractors.hpp"
#include "parse/parser.hpp"
#include "parse/prepare.hpp"

namespace ts = trustscan;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ts::Limits limits;
  const std::span<const std::byte> bytes = ts::fuzz::as_bytes(data, size);
  const auto plain = ts::parse::plain_linked_model(bytes, limits);
  if (!plain) return 0;
  auto prepared = ts::parse::prepare_for_lief(ts::Format::Elf, bytes, limits);
  if (!prepared || !prepared->warnings.empty()) {
    std::fprintf(stderr, "plain_linked_model took a file prepare_for_lief refuses or changes\n");
    std::abort();
  }
  try {
    ts::parse::BinaryModel lief = ts::parse::extract_elf(*prepared, bytes, limits);
    if (!(lief == *plain)) {
      std::fprintf(stderr,
                   "plain_linked_model and LIEF differ (libraries %zu/%zu, exports %zu/%zu, interpreter '%s'/'%s')\n",
                   plain->libraries.size(), lief.libraries.size(), plain->exports_count, lief.exports_count,
                   plain->elf->interpreter.c_str(), lief.elf ? lief.elf->interpreter.c_str() : "-");
      std::abort();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "LIEF failed on a file plain_linked_model took: %s\n", e.what());
    std::abort();
  }
  return 0;
}
