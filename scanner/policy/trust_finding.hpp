#pragma once
/// \file
/// A finding that no vendor rule makes (issue 16): a file of a Windows image whose signature is
/// trusted only through a root that the image's own ROOT/AuthRoot store added and the anchor set
/// in use does not know (flag image_only_root, verify/image_trust.hpp). Someone — the image's
/// administrator, or malware — gave that machine an extra root, and the file's signer is vouched
/// for by nobody else: the shape of a rootkit that installs its own root. docs/policy.md
/// ("A root only the image trusts") says why it is a finding and how severe.

#include <string_view>

#include "policy/policy.hpp"
#include "record/file_record.hpp"

namespace trustscan::policy {

/// The id of the built-in rule, as verdicts and reports name it.
inline constexpr std::string_view kImageOnlyRootRule = "trust:image_only_root";

/// When the signature that stands for `record` (record.signature) is valid only through a root of
/// its Windows image's own store and the file's privilege (a registered boot-start driver: kernel)
/// is in `policy`'s scope, makes `record.verdict` a finding of the rule kImageOnlyRootRule, at the
/// severity of the table for a medium-confidence subject (severity_for), or adds the rule to a
/// finding of the vendor rules, raising its severity when lower. Leaves every other record alone.
void apply_trust_findings(const Policy& policy, record::FileRecord& record);

}  // namespace trustscan::policy
