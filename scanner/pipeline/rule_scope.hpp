#pragma once
/// \file
/// Which binaries the YARA rules need not run on, and why (issue 9).
///
/// One class only: an **in-tree kernel module of the scanned kernel's own build**, i.e. a module
///  - whose signature verified (SignatureStatus::Valid),
///  - against the module-signing key compiled into a kernel image of the scanned root (the first
///    certificate of that image's list, ModuleSignatureResult::kernel_build_key; not a key given
///    with --module-keys, which is how third-party and DKMS keys arrive),
///  - whose .modinfo says `intree=Y` (set by modpost only for modules built inside the kernel
///    source tree),
///  - and that had no error in any stage.
/// Such a module was built and signed in the same build as the kernel that trusts it (Debian,
/// Ubuntu and Fedora generate that key per build and throw the private half away), so it is part
/// of the kernel, not third-party code: it tells nothing about which vendors' software runs on the
/// machine that the kernel image itself does not. The kernel image (vmlinuz) is still matched.
/// The skip is recorded on the file (FileRecord::rules_skipped), counted in the summary, and
/// --match-all turns it off. docs/performance.md gives the measurements and the reasoning.

#include <optional>
#include <string>

#include "pipeline/file_record.hpp"

namespace trustscan::pipeline {

/// Why the rules need not run on `rec` (after verify/), or nullopt when they must.
[[nodiscard]] std::optional<std::string> rules_not_needed(const FileRecord& rec);

}  // namespace trustscan::pipeline
