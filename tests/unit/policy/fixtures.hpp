#pragma once
// Shared by the policy tests: a small vendor list with ownership chains, the shipped list, and a
// Subject builder.

#include <string_view>

#include "attribute/vendor_db.hpp"
#include "core/types.hpp"
#include "policy/evaluator.hpp"
#include "support/shipped_data.hpp"  // shipped_vendors()

namespace trustscan::test {

/// kaspersky (RU, antivirus), doctor-web (RU, antivirus), bi-zone (RU, edr), virusblokada (BY),
/// tencent (CN, antivirus), riot-games (US, anti-cheat, parent tencent), gen-digital (US),
/// avast (CZ, parent gen-digital), avg (parent avast, no own country), microsoft (US, os).
[[nodiscard]] const attribute::VendorDb& policy_vendors();

/// A subject for a vendor of policy_vendors() (empty id = unattributed).
[[nodiscard]] policy::Subject subject(std::string_view vendor_id,
                                      std::optional<Privilege> privilege,
                                      policy::Confidence confidence);

}  // namespace trustscan::test
