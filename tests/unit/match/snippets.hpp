#pragma once
// Tiny synthetic byte snippets for rule tests: the few bytes a rule looks at, built in memory.
// No real AV or malware binary is used anywhere in the match tests.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace trustscan::test::snippets {

/// UTF-8 -> UTF-16LE (BMP only; enough for the vendor names in the rules).
inline std::string utf16le(std::string_view utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    std::uint32_t cp = c;
    std::size_t n = 1;
    if (c >= 0xE0) {
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(utf8[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(utf8[i + 2]) & 0x3Fu);
      n = 3;
    } else if (c >= 0xC0) {
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3Fu);
      n = 2;
    }
    out += static_cast<char>(cp & 0xFF);
    out += static_cast<char>(cp >> 8);
    i += n;
  }
  return out;
}

inline void put_u16(std::string& s, std::uint16_t v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>(v >> 8);
}

/// A DOS header ("MZ") padded to 0x100 bytes, then `payload` at a 4-aligned offset.
inline std::string pe_with(std::string_view payload) {
  std::string s(0x100, '\0');
  s[0] = 'M';
  s[1] = 'Z';
  s += payload;
  s.append(8, '\0');
  return s;
}

/// One VS_VERSIONINFO String entry (wLength, wValueLength, wType=1, key, padding, value), as
/// rc.exe lays it out: the value starts at the next 32-bit boundary after the key's NUL.
inline std::string version_string(std::string_view key, std::string_view value_utf8) {
  std::string body = utf16le(key);
  body.append(2, '\0');
  while ((6 + body.size()) % 4 != 0) body += '\0';
  const std::string value = utf16le(value_utf8);
  body += value;
  body.append(2, '\0');
  std::string entry;
  put_u16(entry, static_cast<std::uint16_t>(6 + body.size()));
  put_u16(entry, static_cast<std::uint16_t>(value.size() / 2 + 1));
  put_u16(entry, 1);
  entry += body;
  while (entry.size() % 4 != 0) entry += '\0';
  return entry;
}

/// A DER RDN SET { SEQUENCE { OID 2.5.4.3 (CN), UTF8String name } } as in a certificate name.
inline std::string der_common_name(std::string_view name) {
  std::string atv = std::string("\x06\x03\x55\x04\x03", 5) + '\x0c' + static_cast<char>(name.size());
  atv += name;
  std::string seq = std::string(1, '\x30') + static_cast<char>(atv.size()) + atv;
  return std::string("\x30\x82\x01\x00", 4) + '\x31' + static_cast<char>(seq.size()) + seq;
}

/// A CodeView RSDS record (signature, GUID, age) with a PDB path.
inline std::string codeview_pdb(std::string_view path) {
  std::string s = "RSDS";
  s.append(16, '\x11');
  s += std::string("\x01\0\0\0", 4);
  s += path;
  s += '\0';
  return s;
}

/// A list of names as a tool that merely *mentions* vendors would store them: ASCII and UTF-16LE,
/// each NUL-terminated (EDR killers, AV removers, competitor detection tables).
inline std::string mention_list(std::span<const std::string> names) {
  std::string s;
  for (const auto& n : names) {
    s += n;
    s += '\0';
    s += utf16le(n);
    s.append(2, '\0');
  }
  return s;
}

inline std::span<const std::byte> bytes_of(const std::string& s) { return std::as_bytes(std::span(s)); }

}  // namespace trustscan::test::snippets
