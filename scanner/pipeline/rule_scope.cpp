#include "pipeline/rule_scope.hpp"

namespace trustscan::pipeline {

std::optional<std::string> rules_not_needed(const FileRecord& rec) {
  if (!rec.binary || !rec.binary->elf || rec.classification.type != FileType::KernelModule || !rec.errors.empty())
    return std::nullopt;
  const auto& sig = rec.module_signature;
  if (!sig || sig->status != verify::SignatureStatus::Valid || !sig->kernel_build_key) return std::nullopt;
  const auto& modinfo = rec.binary->elf->modinfo;
  if (auto it = modinfo.find("intree"); it == modinfo.end() || it->second != "Y") return std::nullopt;
  return "in-tree module (intree=Y) signed with the module-signing key of " + sig->key_source +
         ": part of that kernel's build (--match-all to match it)";
}

}  // namespace trustscan::pipeline
