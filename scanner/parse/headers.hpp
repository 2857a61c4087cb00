#pragma once
/// \file
/// The header-only parser: a BinaryModel from a file's headers alone, read with pread, for files
/// above the streaming threshold (Limits::stream_threshold) or --max-parse-size that LIEF never
/// sees (issue 16). It reads a few KiB to a few hundred KiB whatever the file's size.
///
/// What it fills (the fields verification and classification need, and the cheap ones):
///  - PE: machine, subsystem, DLL flag, DllCharacteristics, section names, timestamp, checksum,
///    entry point, the Authenticode layout (CheckSum, certificate-table entry, SizeOfHeaders,
///    certificate table, sections), the imported DLL names (for the privilege decision) and the
///    RT_VERSION resource (version strings and VS_FIXEDFILEINFO).
///    Not filled: imported function names, imphash, export count, PDB path.
///  - Mach-O (thin and fat): per slice CPU type, file type, offset and size, LC_CODE_SIGNATURE,
///    dylibs. Not filled: entry point, export count.
///  - ELF: type, machine, entry point, PT_INTERP, the sections that classify it (.modinfo
///    content, .gnu.linkonce.this_module, .modname, __ksymtab + .init.text) and the module
///    signature marker. Not filled: DT_NEEDED libraries, SONAME, export count.
/// A warning on the model says that it was read from the headers only.

#include "core/byte_source.hpp"
#include "core/error.hpp"
#include "core/limits.hpp"
#include "parse/binary_model.hpp"

namespace trustscan::parse {

/// The model of `file` (identified as `format`) from its headers. Never throws on hostile input;
/// Errc::Malformed when the headers do not hold together, Errc::Io when the file cannot be read.
/// `model.type` is left Unknown; classify() decides it, as after parse_binary().
[[nodiscard]] Result<BinaryModel> parse_headers(Format format, const ByteSource& file, const Limits& limits);

}  // namespace trustscan::parse
