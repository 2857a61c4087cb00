#pragma once
/// \file
/// One scanned binary: what its bytes say (FileFacts — identify, map, parse, verify, match; what
/// the scan cache stores whole) plus what the scan's context adds (FileRecord — where it was
/// found, the Windows image's view of it, the catalogs that list it, the file's signature as a
/// whole, the vendor, the policy verdict). Each stage fills its own fields and reads only those of
/// earlier stages.
///
/// This layer sits below every stage: it includes only core/ and the stages' plain result
/// headers (no LIEF, OpenSSL, YARA, nlohmann or service header), so any stage may read a record
/// without depending on a later stage (tools/check_includes.py enforces it).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attribute/attribution.hpp"
#include "core/error.hpp"
#include "core/types.hpp"
#include "discover/file_ref.hpp"
#include "image/location.hpp"
#include "match/known_bad_match.hpp"
#include "match/rule_match.hpp"
#include "parse/binary_model.hpp"
#include "parse/privilege.hpp"
#include "policy/severity.hpp"
#include "policy/verdict.hpp"
#include "verify/kernel_load.hpp"
#include "verify/signature.hpp"
#include "windows/service.hpp"

namespace trustscan::record {

/// What the stages that read the file's bytes found. It depends on the file's bytes and the
/// configuration only (rules, anchors, keys, limits: the cache fingerprint), never on catalogs,
/// hives, the vendor list or the policy — which is why the cache may store it whole
/// (docs/cache.md).
struct FileFacts {
  Format format = Format::Unknown;               ///< identify (of the decompressed bytes for .ko.xz)
  Compression compression = Compression::None;   ///< identify
  std::string sha256;                            ///< map: SHA-256 of the file as stored on disk
  /// map: the file's SHA-1 and MD5 as stored, lower-case hex, computed only for kernel-mode PE
  /// files and only when the loaded known-bad feeds list a driver by them alone
  /// (match::KnownBadFeed::needs; part of the cache fingerprint); "" otherwise.
  std::string sha1, md5;
  std::optional<std::uint64_t> decompressed_size;  ///< map: for .ko.xz/.ko.zst
  std::optional<parse::BinaryModel> binary;      ///< parse (absent when parsing failed or was skipped)
  parse::Classification classification;          ///< parse: type and privilege by the file's headers
  verify::FileSignatures signatures;             ///< verify: the signatures in the file's own bytes
  std::vector<match::RuleMatch> matches;         ///< match: YARA rules that fired
  /// match: why the rules were not run on this file (match/rule_scope.hpp); absent when they
  /// ran or when no rule set is loaded.
  std::optional<std::string> rules_skipped;
  /// match: the `privilege` external the rules were given (nullopt = "unknown"). It comes from
  /// the Windows join (FileRecord::privilege), so a cached result is matched again when the join
  /// now says otherwise.
  std::optional<Privilege> rule_privilege;
  std::vector<Error> errors;  ///< per-file failures of these stages, each with its stage

  friend bool operator==(const FileFacts&, const FileFacts&) = default;
};

/// What a Windows image says about the file (issue 6).
struct WindowsFacts {
  std::string image;  ///< the image's volume root, as reported
  std::string path;   ///< the file in Windows form: "C:\Windows\System32\drivers\x.sys"
  std::vector<windows::Service> services;  ///< every service whose ImagePath is this file
  /// A driver service loads it at boot, system or auto start (RegisteredService::loads_at_boot).
  bool loads_at_boot = false;
};

/// A scanned binary: its facts plus what the scan's context adds.
struct FileRecord : FileFacts {
  discover::FileRef file;  ///< discover
  /// discover: the disk image volume the file was read from (issue 10); null = a directory root.
  std::shared_ptr<const image::Location> image;
  std::optional<WindowsFacts> windows;  ///< the Windows image's view (joined before matching)
  /// verify: every catalog of the scan listing the file's authentihash (PE files, catalog order).
  std::vector<verify::Signature> catalog_signatures;
  /// verify: the file's signature as a whole (decide_signature): which signature stands for it.
  verify::SignatureVerdict signature;
  /// verify: whether Windows' kernel would load it (verify/kernel_load.hpp, decided with the
  /// catalogs); only for PE files that run in the kernel (privilege()).
  std::optional<verify::KernelLoadDecision> kernel_load;
  std::optional<attribute::Attribution> attribution;  ///< attribute: absent = no evidence
  std::optional<policy::Verdict> verdict;              ///< policy: absent = unattributed
  /// match (made after the cache, from the facts: the matches depend on the feeds): the listed
  /// known-bad drivers the file is (LOLDrivers, driver block rules; match/known_bad.hpp).
  std::vector<match::KnownBadMatch> known_bad;
  /// policy: the severity of the known-bad finding (policy::known_bad_severity, docs/policy.md
  /// "Known-bad drivers"); absent when the file matches no entry or does not run in the kernel
  /// or at boot (then the matches are reported, but are no finding).
  std::optional<policy::Severity> known_bad_severity;

  /// The signature that stands for the file (signature.primary), nullptr when unsigned.
  [[nodiscard]] const verify::Signature* primary_signature() const noexcept {
    if (!signature.primary) return nullptr;
    const auto& list = signature.primary->catalog ? catalog_signatures : signatures.signatures;
    return signature.primary->index < list.size() ? &list[signature.primary->index] : nullptr;
  }
  /// The driver service a Windows image registers the file as, if any: it then runs in the
  /// kernel whatever its headers say.
  [[nodiscard]] const windows::Service* driver_service() const noexcept {
    if (!windows) return nullptr;
    for (const windows::Service& s : windows->services)
      if (windows::is_driver(s.type)) return &s;
    return nullptr;
  }
  /// Where the file's code runs, as the scan reports it: parse's privilege, raised to kernel for
  /// a file registered as a driver service. nullopt when the file could not be parsed (unknown,
  /// never assumed user).
  [[nodiscard]] std::optional<Privilege> privilege() const noexcept {
    if (!binary) return std::nullopt;
    return driver_service() ? Privilege::Kernel : classification.privilege;
  }
  /// Why privilege() is what it is.
  [[nodiscard]] std::string privilege_reason() const {
    if (binary && classification.privilege != Privilege::Kernel)
      if (const windows::Service* s = driver_service()) return "registered as driver service '" + s->name + "'";
    return classification.reason;
  }
};

}  // namespace trustscan::record
