#include "identify/format.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace trustscan;

namespace {

identify::Identity sniff_string(const std::string& s, std::string_view name = "f") {
  return identify::sniff(std::as_bytes(std::span(s)), s.size(), name);
}

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string minimal_pe() {
  std::string s(0x200, '\0');
  s[0] = 'M', s[1] = 'Z';
  s[0x3c] = '\x80';
  s.replace(0x80, 4, std::string("PE\0\0", 4));
  return s;
}

/// A fat header with one arch entry (x86_64 at offset 4096, size 4096) and a file that big.
std::string fat_file(std::uint32_t cpu) {
  std::string s = be32(0xcafebabe) + be32(1) + be32(cpu) + be32(3) + be32(4096) + be32(4096) + be32(12);
  s.resize(8192, '\0');
  return s;
}

}  // namespace

TEST_CASE("sniff recognises each container format from its first bytes", "[identify]") {
  CHECK(sniff_string(minimal_pe()).format == Format::Pe);
  CHECK(sniff_string(std::string("\x7f" "ELF\x02\x01\x01", 7) + std::string(60, '\0')).format == Format::Elf);
  CHECK(sniff_string(std::string("\xcf\xfa\xed\xfe", 4) + std::string(60, '\0')).format == Format::MachO);
  CHECK(sniff_string(std::string("\xce\xfa\xed\xfe", 4) + std::string(60, '\0')).format == Format::MachO);
  CHECK(sniff_string(fat_file(0x01000007)).format == Format::MachOFat);
}

TEST_CASE("look-alikes are not binaries", "[identify]") {
  // "MZ" text, MZ without a PE header, a Java class (same magic as fat Mach-O), plain text.
  CHECK(sniff_string("MZ is a fine prefix for a text file").format == Format::Unknown);
  std::string dos = minimal_pe();
  dos[0x80] = 'X';
  CHECK(sniff_string(dos).format == Format::Unknown);
  std::string java = be32(0xcafebabe) + be32(0x00000034) + std::string(100, '\x01');
  CHECK(sniff_string(java).format == Format::Unknown);
  CHECK(sniff_string(fat_file(0x4242)).format == Format::Unknown);
  CHECK(sniff_string("#!/bin/sh\necho hi\n").format == Format::Unknown);
  CHECK(sniff_string("").format == Format::Unknown);
}

TEST_CASE("an ELF magic alone is identified, so the parser can report it broken", "[identify]") {
  CHECK(sniff_string("\x7f" "ELF").format == Format::Elf);
}

TEST_CASE("compressed payloads count only as compressed kernel modules", "[identify]") {
  std::string xz("\xfd" "7zXZ\0rest", 10);
  std::string zst("\x28\xb5\x2f\xfd" "rest", 8);
  CHECK(sniff_string(xz, "mod.ko.xz").compression == Compression::Xz);
  CHECK(sniff_string(zst, "mod.ko.zst").compression == Compression::Zstd);
  CHECK(sniff_string(xz, "backup.tar.xz").compression == Compression::None);
  CHECK(sniff_string(zst, "mod.ko.xz").compression == Compression::None);
}
