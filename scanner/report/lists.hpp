#pragma once
/// \file
/// `trustscan vendors` and `trustscan policies` (issue 20): the shipped (or loaded) vendor-origin
/// list and policy presets, as text for people or as JSON.

#include <filesystem>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "attribute/vendor_db.hpp"
#include "policy/policy.hpp"

namespace trustscan::report {

/// The vendors `list` holds (each a vendor of `db`): id, name, country, jurisdictions up the
/// ownership chain, category, parent. Text: one aligned row each; JSON: an array of objects.
void write_vendor_list(const attribute::VendorDb& db, std::span<const attribute::Vendor* const> list, bool json,
                       std::ostream& out);

/// One policy preset: its file and the policy it loads to, or why it did not load.
struct PolicyPreset {
  std::string name;  ///< the file's stem: what `--policy NAME` takes
  std::filesystem::path file;
  const policy::Policy* policy = nullptr;  ///< nullptr when it did not load
  std::string error;                       ///< why it did not load
};

/// Each preset with its description and what it flags: the scope, the minimum confidence, every
/// rule (country or vendor, categories, reason, source) and the known-bad settings.
void write_policy_list(std::span<const PolicyPreset> presets, bool json, std::ostream& out);

}  // namespace trustscan::report
