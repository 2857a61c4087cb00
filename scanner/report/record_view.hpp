#pragma once
/// \file
/// The report model: the fields of a report record that the short outputs (CEF, syslog, the
/// baseline table) and the baseline comparison read, as typed members holding exactly the values
/// the JSON report carries (strings made valid UTF-8, the report's words for enumerations).
///
/// A view has two sources and one shape:
/// - record_view() builds it from a scanned record::FileRecord (the current scan);
/// - read_record_view() (report/json_model.hpp, beside the JSON writer, so that every field name
///   is spelled in one file) reads it back from a record of an earlier `--format json` report or
///   NDJSON file event (the baseline).
/// The two agree by construction and by test (tests/unit/report/record_view_test.cpp: for every
/// sample record, record_view(r) == read_record_view(record_object(r))), so a field renamed in the
/// writer fails that test instead of silently reading as "" — the way the outputs read fields
/// before (JSON pointers into their own report).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "record/file_record.hpp"

namespace trustscan::report {

/// `file.code_signature`: the file's signature as a whole, as the report states it.
struct CodeSignatureView {
  bool exists = false;                      ///< `exists`
  std::optional<std::string> status;        ///< `status` (signed files only)
  std::optional<std::string> subject_name;  ///< `subject_name`: the signer that stands for the file
  std::optional<std::string> source;        ///< `source`: "embedded" or "catalog" (Authenticode only)
  friend bool operator==(const CodeSignatureView&, const CodeSignatureView&) = default;
};

/// `trustscan.vendor`: who made the file.
struct VendorView {
  std::string id;          ///< `id` (vendor list id)
  std::string name;        ///< `name`
  std::string category;    ///< `category`
  std::string confidence;  ///< `confidence`: "low", "medium" or "high"
  friend bool operator==(const VendorView&, const VendorView&) = default;
};

/// One element of `trustscan.finding.rules`.
struct RuleView {
  std::string id;      ///< `id`, e.g. "country:RU"
  std::string reason;  ///< `reason`
  friend bool operator==(const RuleView&, const RuleView&) = default;
};

/// `trustscan.finding.subject`: whom the verdict is about (schema 1.4, issue 15): the attributed
/// vendor, an unlisted publisher (empty id) or the vendor an unverified claim names.
struct SubjectView {
  std::string id;                      ///< `id` (vendor list id; "" for a publisher)
  std::string name;                    ///< `name`
  std::optional<std::string> country;  ///< `country` the rules were matched against
  std::string note;                    ///< `note`: why it is only a claim ("" when verified)
  friend bool operator==(const SubjectView&, const SubjectView&) = default;
};

/// `trustscan.finding`: the policy verdict.
struct FindingView {
  std::string status;                   ///< `status`: "finding", "suppressed", "no_match", ...
  std::optional<std::string> severity;  ///< `severity` (flagged records only)
  std::vector<RuleView> rules;          ///< `rules`, in policy order
  std::optional<SubjectView> subject;   ///< `subject` (absent for unattributed records and before 1.4)
  friend bool operator==(const FindingView&, const FindingView&) = default;
};

/// One element of `trustscan.windows.services`: a service whose ImagePath is the file.
struct ServiceView {
  std::string name;   ///< `name`
  std::string start;  ///< `start`: "boot", "system", "auto", ...
  friend bool operator==(const ServiceView&, const ServiceView&) = default;
};

/// One element of `trustscan.errors`.
struct ErrorView {
  std::string stage;    ///< `stage`
  std::string code;     ///< `code`
  std::string message;  ///< `message`
  friend bool operator==(const ErrorView&, const ErrorView&) = default;
};

/// One element of `trustscan.known_bad` (schema 1.5, issue 17): a listed known-bad driver.
struct KnownBadView {
  std::string dataset;   ///< `dataset`: "loldrivers" or "driver-block-rules"
  std::string id;        ///< `id`: the entry's or rule's id
  std::string category;  ///< `category`: "malicious", "vulnerable", "vulnerable_or_malicious"
  std::string name;      ///< `name`
  std::string key;       ///< `key`: what matched ("authenticode_sha256", "signer", ...)
  std::string suppressed;  ///< `suppressed.id` (schema 1.6): the suppression that sets it aside; "" = none
  friend bool operator==(const KnownBadView&, const KnownBadView&) = default;
};

/// A report record, typed. Optional members are absent from the record when nullopt.
struct RecordView {
  std::string path;                            ///< `file.path`
  std::string name;                            ///< `file.name`
  std::uint64_t size = 0;                      ///< `file.size`
  std::optional<std::string> mtime;            ///< `file.mtime` (RFC 3339, milliseconds, UTC)
  std::optional<std::string> sha256;           ///< `file.hash.sha256`
  std::optional<CodeSignatureView> signature;  ///< `file.code_signature`: absent when the format has none
  std::string type;                            ///< `trustscan.type` ("unknown" when not parsed)
  std::string privilege;                       ///< `trustscan.privilege` ("unknown" when not parsed)
  std::optional<VendorView> vendor;            ///< `trustscan.vendor`: absent when unattributed
  std::optional<std::string> country;          ///< `trustscan.country` (null: a vendor without one)
  std::optional<FindingView> finding;          ///< `trustscan.finding`: absent when unattributed
  /// `trustscan.windows.services`: absent outside a Windows image, empty when no service loads it.
  std::optional<std::vector<ServiceView>> windows_services;
  std::vector<ErrorView> errors;               ///< `trustscan.errors`
  std::vector<KnownBadView> known_bad;         ///< `trustscan.known_bad` (empty when absent)
  /// `trustscan.known_bad_severity`: the known-bad matches are a finding of this severity.
  std::optional<std::string> known_bad_severity;

  /// A flagged record that is not suppressed (finding.status "finding").
  [[nodiscard]] bool is_finding() const noexcept { return finding && finding->status == "finding"; }
  /// A listed known-bad driver that runs in the kernel or at boot (a finding of its own).
  [[nodiscard]] bool is_known_bad_finding() const noexcept { return known_bad_severity.has_value(); }
  /// The record's severity: the worse of its finding's and its known-bad finding's; nullopt when it
  /// is neither (what the state file and the C API's ts_record report).
  [[nodiscard]] std::optional<std::string> severity() const;
  /// Whom the finding is about: the verdict's subject, else (reports before schema 1.4) the
  /// attributed vendor; nullopt when neither is there.
  [[nodiscard]] std::optional<SubjectView> finding_subject() const;
  /// The first matching rule (what CEF and the NDJSON alert name), nullptr when none matched.
  [[nodiscard]] const RuleView* first_rule() const noexcept {
    return finding && !finding->rules.empty() ? &finding->rules.front() : nullptr;
  }
  friend bool operator==(const RecordView&, const RecordView&) = default;
};

/// The view of a scanned record: the values its JSON record carries (record_object()).
[[nodiscard]] RecordView record_view(const record::FileRecord& r);

/// ECS `event.risk_score` of a finding severity: low 21, medium 47, high 73, critical 99 (ECS's
/// convention); 0 for anything else.
[[nodiscard]] int ecs_risk_score(std::string_view severity) noexcept;

/// The NDJSON `message` of an alert (and the start of the CEF `msg`): "SUBJECT (COUNTRY) TYPE PATH",
/// followed by ": NOTE" when the subject is only claimed.
[[nodiscard]] std::string alert_message(const RecordView& v);

/// `rule.category` of every alert.
inline constexpr std::string_view kRuleCategory = "vendor-jurisdiction";
/// `rule.category` of an alert for a known-bad driver (issue 17) that is no vendor finding.
inline constexpr std::string_view kKnownBadRuleCategory = "known-bad-driver";

}  // namespace trustscan::report
