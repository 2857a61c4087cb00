#include "match/rule_scope.hpp"

#include <algorithm>

namespace trustscan::match {

std::optional<std::string> rules_not_needed(const record::FileFacts& rec) {
  if (!rec.binary || !rec.binary->elf || rec.classification.type != FileType::KernelModule || !rec.errors.empty())
    return std::nullopt;
  const auto& sigs = rec.signatures.signatures;
  auto sig = std::ranges::find(sigs, verify::SignatureSource::Module, &verify::Signature::source);
  if (sig == sigs.end() || sig->status != verify::SignatureStatus::Valid || !sig->module()->kernel_build_key)
    return std::nullopt;
  const auto& modinfo = rec.binary->elf->modinfo;
  if (auto it = modinfo.find("intree"); it == modinfo.end() || it->second != "Y") return std::nullopt;
  return "in-tree module (intree=Y) signed with the module-signing key of " + sig->module()->key_source +
         ": part of that kernel's build (--match-all to match it)";
}

}  // namespace trustscan::match
