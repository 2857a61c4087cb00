#include "report/explain.hpp"

#include <algorithm>
#include <ostream>
#include <string>
#include <string_view>

#include "report/json_model.hpp"
#include "report/text.hpp"

namespace trustscan::report {
namespace {

using nlohmann::ordered_json;

/// A scalar as text: strings terminal-safe, numbers and booleans as JSON writes them.
std::string scalar(const ordered_json& v) {
  if (v.is_string()) return terminal_safe(v.get_ref<const std::string&>());
  if (v.is_null()) return "none";
  return v.dump();
}

/// Nothing worth a line: null, "", [] or {}.
bool blank(const ordered_json& v) {
  return v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) || (v.is_structured() && v.empty());
}

std::string joined(const ordered_json& list, std::string_view separator = ", ") {
  std::string text;
  for (const ordered_json& e : list) text += (text.empty() ? "" : std::string(separator)) + scalar(e);
  return text;
}

/// Member `key` of `obj` as text, "" when absent or not a scalar.
std::string text_of(const ordered_json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it == obj.end() || !it->is_primitive() || it->is_null() ? std::string() : scalar(*it);
}

/// Removes member `key` from `obj` and returns it (null when absent): each section takes what it
/// shows, and whatever no section took is shown at the end, so nothing of the record is lost.
ordered_json take(ordered_json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end()) return nullptr;
  ordered_json v = std::move(*it);
  obj.erase(it);
  return v;
}

void write_members(const ordered_json& obj, int indent, std::ostream& out);

/// One member: a scalar or a list of scalars on its line, anything else below it, indented.
void write_value(std::string_view key, const ordered_json& v, int indent, std::ostream& out) {
  if (blank(v)) return;
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  if (v.is_primitive()) {
    out << pad << key << ": " << scalar(v) << '\n';
    return;
  }
  if (v.is_array() && std::ranges::all_of(v, [](const ordered_json& e) { return e.is_primitive(); })) {
    out << pad << key << ": " << joined(v) << '\n';
    return;
  }
  out << pad << key << ":\n";
  if (v.is_object()) return write_members(v, indent + 2, out);
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_object()) {
      write_value("-", v[i], indent + 2, out);
      continue;
    }
    out << pad << "  [" << i + 1 << "]\n";
    write_members(v[i], indent + 4, out);
  }
}

void write_members(const ordered_json& obj, int indent, std::ostream& out) {
  for (const auto& [key, value] : obj.items()) write_value(key, value, indent, out);
}

/// One certificate of a chain: subject, issuer, validity and thumbprints.
void write_certificate(const ordered_json& c, std::size_t position, int indent, std::ostream& out) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  out << pad << "[" << position << "] " << text_of(c, "subject") << '\n';
  if (auto issuer = text_of(c, "issuer"); !issuer.empty()) out << pad << "    issued by " << issuer << '\n';
  if (auto from = text_of(c, "not_before"); !from.empty())
    out << pad << "    valid " << from << " to " << text_of(c, "not_after") << ", serial "
        << text_of(c, "serial_number") << '\n';
  for (const char* key : {"thumbprint_sha256", "thumbprint_sha1", "subject_key_id"})
    if (auto tp = text_of(c, key); !tp.empty()) out << pad << "    " << key << ": " << tp << '\n';
}

/// One signature of any source: a headline (source, position, status, flags), the signer and its
/// chain, then every other field of it.
void write_signature(std::string_view source, ordered_json sig, std::ostream& out) {
  std::string where(source);
  if (const auto index = take(sig, "index"); index.is_number()) where += " #" + index.dump();
  if (const auto nested = take(sig, "nested"); nested.is_boolean() && nested.get<bool>()) where += " (nested)";
  take(sig, "parent_index");
  out << "  " << where << ": " << scalar(take(sig, "status"));
  if (const auto flags = take(sig, "flags"); !blank(flags)) out << " [" << joined(flags) << "]";
  out << '\n';
  ordered_json signer = take(sig, "signer");
  ordered_json chain = take(sig, "chain");
  // The signer is the chain's first certificate when there is a chain: shown once.
  const bool signer_in_chain = chain.is_array() && !chain.empty() && signer.is_object() &&
                               text_of(chain[0], "subject") == text_of(signer, "subject") &&
                               text_of(chain[0], "serial_number") == text_of(signer, "serial_number");
  if (signer.is_object() && !signer_in_chain && !text_of(signer, "subject").empty()) {
    out << "    signer:\n";
    write_certificate(signer, 0, 6, out);
  }
  if (chain.is_array() && !chain.empty()) {
    out << "    signer and chain (" << chain.size() << " certificates, signer first):\n";
    for (std::size_t i = 0; i < chain.size(); ++i) write_certificate(chain[i], i, 6, out);
  }
  write_members(sig, 4, out);
}

/// Why the policy decided as it did, in words (policy::Verdict::Status).
std::string verdict_reason(const std::string& status, const ordered_json& finding, const std::string& policy) {
  const ordered_json subject = finding.value("subject", ordered_json::object());
  const std::string who = text_of(subject, "name").empty() ? text_of(subject, "id") : text_of(subject, "name");
  const std::string country = text_of(subject, "country");
  const std::string named = who + (country.empty() ? " (no country)" : " (" + country + ")");
  if (status == "unattributed")
    return "not flagged: no vendor could be attributed, and policy '" + policy + "' flags vendors and countries";
  if (status == "no_match") return "not flagged: " + named + " matches no rule of policy '" + policy + "'";
  if (status == "out_of_scope")
    return "not flagged: rules match " + named +
           ", but this file's privilege is outside the policy's scope "
           "(--all-privileges widens it)";
  if (status == "below_confidence")
    return "not flagged: rules match " + named + ", but the attribution's confidence (" +
           text_of(subject, "confidence") + ") is below the policy's min_confidence";
  if (status == "suppressed")
    return "flagged (" + text_of(finding, "severity") + ") but suppressed by '" + text_of(finding, "suppression_id") +
           "'";
  if (status == "finding") return "FLAGGED, severity " + text_of(finding, "severity") + ": " + named;
  return status;
}

/// Writes the record's sections; `file` and `t` are copies of its `file` and `trustscan` objects,
/// from which each section takes its members.
class Explainer {
 public:
  Explainer(const pipeline::ScanResult& result, ordered_json record, std::ostream& out)
      : result_(result), record_(std::move(record)), out_(out) {
    file_ = take(record_, "file");
    t_ = take(record_, "trustscan");
  }

  void write() {
    file_section();
    identify_section();
    parse_section();
    hashes_section();
    signatures_section();
    windows_section();
    rules_section();
    attribution_section();
    policy_section();
    known_bad_section();
    errors_section();
    rest_section();
    context_section();
  }

 private:
  void title(std::string_view name) { out_ << '\n' << name << '\n'; }
  void line(std::string_view label, const std::string& text) {
    if (!text.empty()) out_ << "  " << label << ": " << text << '\n';
  }

  void file_section() {
    out_ << "FILE " << scalar(take(file_, "path")) << '\n';
    // ECS copies of what the sections below show.
    for (const char* key : {"name", "directory", "extension", "type", "pe", "elf", "macho"}) take(file_, key);
    hash_ = take(file_, "hash");
    code_signature_ = take(file_, "code_signature");
    write_members(file_, 2, out_);
    write_value("image", take(t_, "image"), 2, out_);
  }

  void identify_section() {
    title("IDENTIFY");
    line("format", scalar(take(t_, "format")) + ", compression " + scalar(take(t_, "compression")));
    write_value("decompressed_size", take(t_, "decompressed_size"), 2, out_);
    line("type", scalar(take(t_, "type")));
    const std::string privilege = scalar(take(t_, "privilege"));
    const std::string reason = scalar(take(t_, "privilege_reason"));
    line("privilege", privilege + (reason == "none" ? std::string() : ", because: " + reason));
    if (privilege == "unknown") line("note", "the file could not be parsed, so its privilege is unknown (see ERRORS)");
  }

  void parse_section() {
    title("PARSE");
    std::string arch = scalar(take(t_, "architecture"));
    if (const auto bits = take(t_, "bits"); bits.is_number()) arch += ", " + bits.dump() + "-bit";
    line("architecture", arch);
    if (const auto entry = take(t_, "entry_point"); entry.is_number_unsigned()) {
      char hex[32];
      std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(entry.get<std::uint64_t>()));
      line("entry point", hex);
    }
    const ordered_json libraries = take(t_, "libraries");
    line("libraries", libraries.is_array() && !libraries.empty()
                          ? std::to_string(libraries.size()) + " (" + joined(libraries) + ")"
                          : std::string());
    write_value("exports", take(t_, "exports_count"), 2, out_);
    for (const char* format : {"pe", "elf", "macho"}) write_value(format, take(t_, format), 2, out_);
    write_value("warnings", take(t_, "warnings"), 2, out_);
  }

  void hashes_section() {
    title("HASHES");
    write_members(hash_, 2, out_);
    for (const char* key : {"hash_sha256", "hash_sha1"})
      if (t_.contains("authenticode"))
        line(std::string("authentihash ") + (key + 5), scalar(take(t_["authenticode"], key)));
  }

  void signatures_section();
  void windows_section() {
    ordered_json windows = take(t_, "windows");
    if (blank(windows)) return;
    title("WINDOWS");
    const std::string load = scalar(take(windows, "kernel_load"));
    if (load != "none")
      line("kernel_load", load + " (basis " + scalar(take(windows, "kernel_load_basis")) +
                              "): " + scalar(take(windows, "kernel_load_reason")));
    write_members(windows, 2, out_);
  }

  void rules_section() {
    title("YARA RULES");
    const ordered_json rules = take(t_, "rules");
    const ordered_json skipped = take(t_, "rules_skipped");
    if (!blank(skipped)) line("not run", scalar(skipped));
    if (blank(rules) && blank(skipped)) out_ << "  no rule matched\n";
    if (!rules.is_array()) return;
    for (const ordered_json& m : rules) {
      out_ << "  " << text_of(m, "namespace") << ":" << text_of(m, "rule") << '\n';
      for (const char* key : {"tags", "meta"})
        if (m.contains(key)) write_value(key, m[key], 4, out_);
      std::string strings;  // "$a at 4943, $b at 17"
      if (m.contains("strings"))
        for (const ordered_json& s : m["strings"])
          strings += (strings.empty() ? "" : ", ") + text_of(s, "identifier") + " at " + text_of(s, "offset");
      if (!strings.empty()) out_ << "    strings: " << strings << '\n';
    }
  }

  void attribution_section();
  void policy_section();
  void known_bad_section() {
    title("KNOWN-BAD DRIVERS");
    const ordered_json list = take(t_, "known_bad");
    const ordered_json severity = take(t_, "known_bad_severity");
    if (blank(list)) {
      const bool feeds = std::ranges::any_of(
          result_.datasets, [](const datasets::DatasetInfo& d) { return d.name != "microsoft-root-program"; });
      out_ << "  not listed by any loaded known-bad feed"
           << (feeds ? "" : " (none is imported: see trustscan help data)") << '\n';
      return;
    }
    line("finding", blank(severity) ? "no (listed, but the file does not run in the kernel or at boot)"
                                    : "yes, severity " + scalar(severity));
    write_value("matches", list, 2, out_);
  }

  void errors_section() {
    const ordered_json errors = take(t_, "errors");
    if (blank(errors)) return;
    title("ERRORS");
    for (const ordered_json& e : errors)
      out_ << "  " << text_of(e, "stage") << (text_of(e, "stage").empty() ? "" : ": ") << text_of(e, "message") << " ("
           << text_of(e, "code") << ")\n";
  }

  void rest_section() {
    take(record_, "threat");  // the ECS copies of the known-bad matches shown above
    take(record_, "vulnerability");
    if (blank(t_) && blank(record_)) return;
    title("OTHER");
    write_members(t_, 2, out_);
    write_members(record_, 2, out_);
  }

  void context_section();

  const pipeline::ScanResult& result_;
  ordered_json record_, file_, t_, hash_, code_signature_;
  std::ostream& out_;
};

void Explainer::signatures_section() {
  title("SIGNATURES");
  if (code_signature_.is_object()) {
    ordered_json cs = code_signature_;
    std::string whole = text_of(cs, "status").empty() ? "unsigned" : text_of(cs, "status");
    if (auto source = text_of(cs, "source"); !source.empty()) whole += ", decided by the " + source + " signature";
    if (auto subject = text_of(cs, "subject_name"); !subject.empty()) whole += ", signer " + subject;
    line("the file as a whole", whole);
    for (const char* key : {"exists", "status", "source", "subject_name"}) take(cs, key);
    write_members(cs, 4, out_);
  } else {
    line("the file as a whole", "no signature checked for this format");
  }
  std::size_t shown = 0;
  if (ordered_json a = take(t_, "authenticode"); a.is_object()) {
    for (const ordered_json& s : take(a, "signatures")) {
      write_signature("embedded", s, out_);
      ++shown;
    }
    for (const char* key : {"status", "flags"}) take(a, key);
    write_members(a, 2, out_);
  }
  for (ordered_json c : take(t_, "catalog_signatures")) {
    // A catalog's own fields (its path, the member) around the catalog's signature: shown as one.
    ordered_json sig = take(c, "signature");
    if (sig.is_object()) sig.update(c);
    write_signature("catalog", sig.is_object() ? std::move(sig) : std::move(c), out_);
    ++shown;
  }
  if (ordered_json m = take(t_, "module_signature"); m.is_object()) {
    write_signature("module", std::move(m), out_);
    ++shown;
  }
  for (const ordered_json& s : take(t_, "macho_signatures")) {
    write_signature("macho", s, out_);
    ++shown;
  }
  if (shown == 0) out_ << "  no signature found\n";
}

void Explainer::attribution_section() {
  title("ATTRIBUTION");
  ordered_json vendor = take(t_, "vendor");
  const ordered_json country = take(t_, "country");
  const ordered_json publisher = take(t_, "publisher");
  const ordered_json services = take(t_, "signing_services");
  if (!vendor.is_object()) {
    out_ << "  no vendor attributed: no evidence names one\n";
  } else {
    const std::string name = text_of(vendor, "name").empty() ? "an unlisted publisher" : text_of(vendor, "name");
    const std::string id = text_of(vendor, "id");
    line("vendor", name + (id.empty() ? "" : " [" + id + "]") + ", category " +
                       (text_of(vendor, "category").empty() ? "none" : text_of(vendor, "category")) + ", confidence " +
                       text_of(vendor, "confidence") + " on " + text_of(vendor, "tier") + " evidence");
    std::string where = blank(country) ? "no single country" : scalar(country);
    if (const ordered_json& j = vendor["jurisdictions"]; j.is_array() && j.size() > 1)
      where += " (ownership chain: " + joined(j) + ")";
    line("vendor -> country", where);
    const ordered_json evidence = take(vendor, "evidence");
    out_ << "  evidence (" << (evidence.is_array() ? evidence.size() : 0) << ", strongest first):\n";
    if (evidence.is_array())
      for (const ordered_json& e : evidence) {
        out_ << "    - " << text_of(e, "kind") << " [" << text_of(e, "tier") << ", " << text_of(e, "confidence")
             << "] '" << text_of(e, "value") << "'";
        if (auto v = text_of(e, "vendor"); !v.empty()) out_ << " -> " << v;
        if (auto m = text_of(e, "matched"); !m.empty()) out_ << " (matched '" << m << "')";
        out_ << '\n';
        if (auto note = text_of(e, "note"); !note.empty()) out_ << "      " << note << '\n';
      }
    for (const char* key : {"candidates", "contradictions", "claims"}) write_value(key, vendor[key], 2, out_);
  }
  write_value("publisher", publisher, 2, out_);
  write_value("signing services (never the vendor)", services, 2, out_);
}

void Explainer::policy_section() {
  title("POLICY");
  line("policy", terminal_safe(result_.policy_name));
  const ordered_json finding = take(t_, "finding");
  const std::string status = finding.is_object() ? text_of(finding, "status") : "unattributed";
  line("verdict", verdict_reason(status, finding.is_object() ? finding : ordered_json::object(),
                                 terminal_safe(result_.policy_name)));
  if (!finding.is_object()) return;
  if (const ordered_json& rules = finding["rules"]; rules.is_array())
    for (const ordered_json& r : rules)
      out_ << "    rule " << text_of(r, "id") << " (via " << text_of(r, "via") << "): " << text_of(r, "reason")
           << "\n      source: " << text_of(r, "source") << '\n';
  if (finding.contains("subject")) write_value("subject", finding["subject"], 2, out_);
  if (finding.contains("expired_suppressions"))
    write_value("expired suppressions", finding["expired_suppressions"], 2, out_);
}

void Explainer::context_section() {
  title("VERIFIED AGAINST");
  line("time", rfc3339(std::chrono::system_clock::from_time_t(result_.verify_time)));
  for (const auto& a : result_.anchor_sets)
    line("anchor set",
         terminal_safe(a.name) + " (" + std::to_string(a.anchors) + " anchors, " + terminal_safe(a.origin) + ")");
  if (result_.key_sources.empty()) line("module keys", "none loaded");
  for (const std::string& k : result_.key_sources) line("module keys", terminal_safe(k));
  for (const auto& d : result_.datasets)
    line("data set",
         terminal_safe(d.name) + " " + terminal_safe(d.version) + ", imported " + terminal_safe(d.imported_at));
  for (const auto& n : result_.load_notes)
    line("note", (n.path.empty() ? "" : terminal_safe(n.path) + ": ") + terminal_safe(n.message));
}

}  // namespace

void write_explain(const pipeline::ScanResult& result, const record::FileRecord& record, std::ostream& out) {
  Explainer(result, record_object(record), out).write();
}

void write_explain_json(const record::FileRecord& record, std::ostream& out) {
  out << dump_json(record_object(record), 2) << '\n';
}

}  // namespace trustscan::report
