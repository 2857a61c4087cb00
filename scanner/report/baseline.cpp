// Baselines: load a previous JSON report, compare it with the current scan record by record, and
// reduce every output to what is new, changed or gone.
#include "report/baseline.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "report/baseline_impl.hpp"
#include "report/baseline_ndjson.hpp"
#include "report/text.hpp"

namespace trustscan::report {
namespace {

using nlohmann::ordered_json;
using Value = std::optional<std::string>;

/// The primary signature's status, "unsigned" when the format has one but the file is not
/// signed, null when the format has none.
Value signature_status(const RecordView& r) {
  if (!r.signature) return std::nullopt;
  if (!r.signature->exists) return "unsigned";
  return r.signature->status;
}

/// The items sorted and joined by ",".
std::string sorted_list(std::vector<std::string> items) {
  std::ranges::sort(items);
  std::string joined;
  for (const auto& x : items) joined += (joined.empty() ? "" : ",") + x;
  return joined;
}

/// How a Windows image registers the file: "service:start" of every service whose ImagePath is
/// it, sorted ("klif:boot"); null outside a Windows image, "" when no service loads it.
Value windows_start(const RecordView& r) {
  if (!r.windows_services) return std::nullopt;
  std::vector<std::string> regs;
  for (const ServiceView& s : *r.windows_services) regs.push_back(s.name + ":" + s.start);
  return sorted_list(std::move(regs));
}

/// The known-bad entries the file matches (issue 17): "dataset:id" of each, sorted, a suppressed
/// one marked " (suppressed)"; null when it matches none (or the report predates schema 1.5).
/// A match that appears or disappears changes it.
Value known_bad_entries(const RecordView& r) {
  if (r.known_bad.empty()) return std::nullopt;
  std::vector<std::string> entries;
  entries.reserve(r.known_bad.size());
  for (const KnownBadView& k : r.known_bad)
    entries.push_back(k.dataset + ":" + k.id + (k.suppressed.empty() ? "" : " (suppressed)"));
  return sorted_list(std::move(entries));
}

/// The categories of the matching entries, "dataset:id=category" sorted: an entry whose
/// category changed (a data set update moved it from vulnerable to malicious) changes it.
Value known_bad_categories(const RecordView& r) {
  if (r.known_bad.empty()) return std::nullopt;
  std::vector<std::string> entries;
  entries.reserve(r.known_bad.size());
  for (const KnownBadView& k : r.known_bad) entries.push_back(k.dataset + ":" + k.id + "=" + k.category);
  return sorted_list(std::move(entries));
}

struct FieldRule {
  ComparedField field;
  Value (*value)(const RecordView& record);
};

// THE table of compared fields: a `changed` record differs in at least one of these. Add a row to
// compare more; the name is what `trustscan.baseline.changes[].field` carries and
// docs/report-schema.md lists.
constexpr FieldRule kFields[] = {
    {{"sha256", "file.hash.sha256: the bytes changed"}, [](const RecordView& r) { return r.sha256; }},
    {{"signature.status", "primary signature status (valid, untrusted, invalid, ..., unsigned)"}, signature_status},
    {{"signature.signer", "file.code_signature.subject_name"},
     [](const RecordView& r) { return r.signature ? r.signature->subject_name : Value(); }},
    {{"vendor", "trustscan.vendor.id (null: unattributed)"},
     [](const RecordView& r) { return r.vendor ? Value(r.vendor->id) : Value(); }},
    {{"country", "trustscan.country"}, [](const RecordView& r) { return r.country; }},
    {{"verdict", "trustscan.finding.status (null: unattributed)"},
     [](const RecordView& r) { return r.finding ? Value(r.finding->status) : Value(); }},
    {{"severity", "trustscan.finding.severity"},
     [](const RecordView& r) { return r.finding ? r.finding->severity : Value(); }},
    {{"privilege", "trustscan.privilege"}, [](const RecordView& r) { return Value(r.privilege); }},
    {{"type", "trustscan.type"}, [](const RecordView& r) { return Value(r.type); }},
    {{"signature.source", "file.code_signature.source: embedded or catalog"},
     [](const RecordView& r) { return r.signature ? r.signature->source : Value(); }},
    {{"windows.start", "Windows image: service:start of every service that loads the file"}, windows_start},
    {{"known_bad", "trustscan.known_bad: dataset:id of every matching entry (null: none)"}, known_bad_entries},
    {{"known_bad.category", "trustscan.known_bad: dataset:id=category of every matching entry"}, known_bad_categories},
    {{"known_bad.severity", "trustscan.known_bad_severity (null: no known-bad finding)"},
     [](const RecordView& r) { return r.known_bad_severity; }},
};

constexpr auto kComparedFields = [] {
  std::array<ComparedField, std::size(kFields)> a{};
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = kFields[i].field;
  return a;
}();

/// Which root a path was found under (the longest root it lies beneath) and the path below it.
std::pair<std::ptrdiff_t, std::string> split_root(const std::string& path, const std::vector<std::string>& roots) {
  std::ptrdiff_t best = -1;
  std::size_t best_len = 0;
  std::string rel = path;
  for (std::size_t i = 0; i < roots.size(); ++i) {
    const std::string& root = roots[i];
    if (root.empty() || path.compare(0, root.size(), root) != 0) continue;
    std::string below;
    if (path.size() == root.size()) below = "";
    else if (root.back() == '/') below = path.substr(root.size());
    else if (path[root.size()] == '/') below = path.substr(root.size() + 1);
    else continue;
    if (best < 0 || root.size() > best_len) {
      best = static_cast<std::ptrdiff_t>(i);
      best_len = root.size();
      rel = std::move(below);
    }
  }
  return {best, rel};
}

/// For each previous root, the index of the current root it is paired with (-1: none): equal
/// strings first; then, if exactly one root is left on each side, those two (the same image
/// mounted somewhere else).
std::vector<std::ptrdiff_t> pair_roots(const std::vector<std::string>& previous_roots,
                                       const std::vector<std::string>& current_roots) {
  std::vector<std::ptrdiff_t> partner(previous_roots.size(), -1);
  std::vector<bool> taken(current_roots.size(), false);
  for (std::size_t i = 0; i < previous_roots.size(); ++i)
    for (std::size_t j = 0; j < current_roots.size(); ++j)
      if (!taken[j] && previous_roots[i] == current_roots[j]) {
        partner[i] = static_cast<std::ptrdiff_t>(j);
        taken[j] = true;
        break;
      }
  std::vector<std::size_t> free_prev, free_cur;
  for (std::size_t i = 0; i < partner.size(); ++i)
    if (partner[i] < 0) free_prev.push_back(i);
  for (std::size_t j = 0; j < taken.size(); ++j)
    if (!taken[j]) free_cur.push_back(j);
  if (free_prev.size() == 1 && free_cur.size() == 1) partner[free_prev[0]] = static_cast<std::ptrdiff_t>(free_cur[0]);
  return partner;
}

/// Key of a record: (root id, path below it, n-th record with that pair) — nested roots can list
/// a file twice.
using Key = std::tuple<std::ptrdiff_t, std::string, std::size_t>;

/// The previous records by key. A record's key uses its paired current root's index; a previous
/// root without a partner gets a key no current record can have.
std::map<Key, std::size_t> previous_keys(const std::vector<std::string>& previous_roots,
                                         const std::vector<RecordView>& previous,
                                         const std::vector<std::ptrdiff_t>& partner) {
  std::map<Key, std::size_t> out;
  std::map<std::pair<std::ptrdiff_t, std::string>, std::size_t> seen;
  for (std::size_t i = 0; i < previous.size(); ++i) {
    auto [root, rel] = split_root(previous[i].path, previous_roots);
    std::ptrdiff_t id = root >= 0 && partner[static_cast<std::size_t>(root)] >= 0
                            ? partner[static_cast<std::size_t>(root)]
                            : -2 - root;  // never a current root index
    std::size_t n = seen[{id, rel}]++;
    out.emplace(Key{id, std::move(rel), n}, i);
  }
  return out;
}

/// The compared fields in which `old` and `now` differ.
std::vector<FieldChange> field_changes(const RecordView& old, const RecordView& now) {
  std::vector<FieldChange> out;
  for (const auto& f : kFields)
    if (Value a = f.value(old), b = f.value(now); a != b) out.push_back({f.field.name, std::move(a), std::move(b)});
  return out;
}

}  // namespace

std::span<const ComparedField> compared_fields() noexcept { return kComparedFields; }

std::optional<std::string> compared_value(std::string_view name, const RecordView& record) {
  for (const auto& f : kFields)
    if (f.field.name == name) return f.value(record);
  return std::nullopt;
}

RecordDiff diff_records(const std::vector<std::string>& previous_roots, const std::vector<RecordView>& previous,
                        const std::vector<std::string>& current_roots, const std::vector<RecordView>& current) {
  RecordDiff out;
  const std::vector<std::ptrdiff_t> partner = pair_roots(previous_roots, current_roots);
  for (std::size_t i = 0; i < partner.size(); ++i)
    if (partner[i] >= 0) out.root_pairs.emplace_back(previous_roots[i], current_roots[static_cast<std::size_t>(partner[i])]);
  const std::map<Key, std::size_t> keys = previous_keys(previous_roots, previous, partner);
  std::vector<bool> matched(previous.size(), false);
  std::map<std::pair<std::ptrdiff_t, std::string>, std::size_t> seen;
  for (std::size_t i = 0; i < current.size(); ++i) {
    auto [root, rel] = split_root(current[i].path, current_roots);
    std::size_t n = seen[{root, rel}]++;
    auto it = keys.find(Key{root, rel, n});
    BaselineDelta d;
    d.current = i;
    d.path = current[i].path;
    if (it != keys.end()) {
      matched[it->second] = true;
      d.changes = field_changes(previous[it->second], current[i]);
      if (d.changes.empty()) {
        ++out.unchanged;
        continue;
      }
      d.change = BaselineChange::Changed;
      d.previous = it->second;
    }
    out.deltas.push_back(std::move(d));
  }
  for (std::size_t i = 0; i < previous.size(); ++i)
    if (!matched[i]) out.deltas.push_back({BaselineChange::Gone, std::nullopt, i, previous[i].path, {}});
  std::stable_sort(out.deltas.begin(), out.deltas.end(), [](const BaselineDelta& a, const BaselineDelta& b) {
    return std::tie(a.path, a.change) < std::tie(b.path, b.change);
  });
  return out;
}

Result<Baseline> Baseline::load(const std::string& path) {
  auto bad = [&](const std::string& why) { return fail(Errc::Config, "--baseline " + path + ": " + why); };
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad("cannot open the file");
  std::stringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return bad("cannot read the file");
  std::string text = buf.str();
  auto impl = std::make_shared<Impl>();
  impl->path = path;
  // The cache keeps what was read from each file, not the vendors, verdicts and policy of a report.
  if (text.starts_with(std::string_view("SQLite format 3\0", 16)))
    return bad("an SQLite database (a --cache file?) is no report; use the JSON or NDJSON report of an earlier run");
  if (looks_like_ndjson(text)) {  // --format ndjson (issue 20)
    auto doc = report_from_ndjson(text);
    if (!doc) return bad(doc.error().message);
    impl->doc = std::move(*doc);
  } else {
    try {
      impl->doc = ordered_json::parse(text);
    } catch (const ordered_json::parse_error& e) {
      return bad(std::string("not a JSON document (nor an NDJSON report): ") + e.what());
    }
  }
  auto head = read_report_head(impl->doc);
  if (!head) return bad(head.error().message);
  impl->head = std::move(*head);
  const std::string& version = impl->head.schema_version;
  std::string major = version.substr(0, version.find('.'));
  std::string our_major = std::string(kSchemaVersion.substr(0, kSchemaVersion.find('.')));
  if (major != our_major)
    return bad("report schema " + version + " is incompatible with this trustscan (schema " +
               std::string(kSchemaVersion) + "; only " + our_major + ".x reports can be compared)");
  if (impl->head.baseline_mode)
    return bad("this report was itself written with --baseline and lists only changes; use a full report");
  const ordered_json& files = impl->doc["files"];
  impl->records.reserve(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto record = read_record_view(files[i]);
    if (!record) return bad("record " + std::to_string(i) + " " + record.error().message);
    impl->records.push_back(std::move(*record));
  }
  return Baseline(std::move(impl));
}

std::size_t Baseline::records() const noexcept { return impl_->records.size(); }

BaselineDiff BaselineDiff::compare(const Baseline& previous, const pipeline::ScanResult& current) {
  auto impl = std::make_shared<Impl>();
  const Baseline::Impl& prev = previous.impl();
  impl->previous = previous.impl_;  // shared: deltas refer into the previous report
  for (const auto& r : current.options.roots) impl->current_roots.push_back(utf8_escaped(r));
  impl->current.reserve(current.records.size());
  for (const auto& r : current.records) impl->current.push_back(record_view(r));
  impl->diff = diff_records(prev.head.roots, prev.records, impl->current_roots, impl->current);
  impl->by_record.assign(current.records.size(), std::nullopt);
  for (std::size_t k = 0; k < impl->diff.deltas.size(); ++k) {
    const BaselineDelta& d = impl->diff.deltas[k];
    ++impl->counts[static_cast<int>(d.change)];
    if (!d.current) continue;
    impl->by_record[*d.current] = k;
    if (impl->current[*d.current].is_finding()) ++impl->findings;
  }
  return BaselineDiff(std::move(impl));
}

std::size_t BaselineDiff::count(BaselineChange c) const noexcept { return impl_->counts[static_cast<int>(c)]; }
std::size_t BaselineDiff::unchanged() const noexcept { return impl_->diff.unchanged; }
std::optional<BaselineChange> BaselineDiff::change_of(std::size_t index) const noexcept {
  const BaselineDelta* d = impl_->delta_of(index);
  return d ? std::optional(d->change) : std::nullopt;
}

ordered_json baseline_annotation(const BaselineDelta& d) {
  ordered_json j{{"change", std::string(to_string(d.change))}};
  if (d.change != BaselineChange::Changed) return j;
  auto value = [](const Value& v) { return v ? ordered_json(*v) : ordered_json(nullptr); };
  ordered_json changes = ordered_json::array();
  for (const FieldChange& c : d.changes)
    changes.push_back({{"field", c.field}, {"old", value(c.old_value)}, {"new", value(c.new_value)}});
  j["changes"] = std::move(changes);
  return j;
}

namespace {

ordered_json summary_counts(const BaselineDiff::Impl& b) {
  return {{"new", b.counts[0]}, {"changed", b.counts[1]}, {"gone", b.counts[2]},
          {"unchanged", b.diff.unchanged}, {"findings", b.findings}};
}

ordered_json scan_info(const BaselineDiff::Impl& b) {
  ordered_json fields = ordered_json::array();
  for (const auto& f : kFields) fields.push_back(f.field.name);
  ordered_json pairs = ordered_json::array();
  for (const auto& [p, c] : b.diff.root_pairs) pairs.push_back({{"previous", p}, {"current", c}});
  const ReportHead& prev = b.previous->head;
  ordered_json j{{"report", utf8_escaped(b.previous->path)}, {"previous_schema_version", prev.schema_version}};
  if (prev.end) j["previous_end"] = *prev.end;
  j["root_pairs"] = std::move(pairs);
  j["fields"] = std::move(fields);
  return j;
}

/// A record with trustscan.baseline set (the object is open in the schema).
ordered_json annotated(ordered_json record, const BaselineDelta& d) {
  record["trustscan"]["baseline"] = baseline_annotation(d);
  return record;
}

/// ECS event.type for a baseline event: how the file changed, plus `indicator` for alerts.
ordered_json event_type(BaselineChange c, bool alert) {
  const char* t = c == BaselineChange::New ? "creation" : c == BaselineChange::Changed ? "change" : "deletion";
  return alert ? ordered_json{t, "indicator"} : ordered_json{t};
}

/// The NDJSON event of a gone record: the previous record as it was, annotated.
ordered_json gone_event(const BaselineDiff::Impl& b, const BaselineDelta& d, const pipeline::ScanResult& result,
                        const RunInfo& run) {
  const RecordView& view = b.record_of(d);
  ordered_json ev = event_envelope(result, run, "event", "trustscan.file");
  ev["event"]["category"] = view.privilege == "kernel" ? ordered_json{"driver", "file"} : ordered_json{"file"};
  ev["event"]["type"] = event_type(d.change, false);
  ev["event"]["outcome"] = view.errors.empty() ? "success" : "failure";
  if (live_scan(result)) ev["host"] = {{"name", utf8_escaped(run.hostname)}};
  ordered_json a = annotated(b.previous->doc["files"][*d.previous], d);
  ev["file"] = std::move(a["file"]);
  ev["trustscan"] = std::move(a["trustscan"]);
  return ev;
}

}  // namespace

void apply_baseline(const BaselineDiff& diff, ordered_json& doc) {
  const BaselineDiff::Impl& b = diff.impl();
  const ordered_json& prev_files = b.previous->doc["files"];
  ordered_json files = ordered_json::array();
  for (const BaselineDelta& d : b.diff.deltas)
    files.push_back(annotated(d.current ? doc["files"][*d.current] : prev_files[*d.previous], d));
  doc["files"] = std::move(files);
  // `findings` lists the flagged records (finding or suppressed) in record order.
  ordered_json findings = ordered_json::array();
  std::size_t next = 0;
  for (std::size_t i = 0; i < b.current.size(); ++i) {
    const auto& f = b.current[i].finding;
    if (!f || (f->status != "finding" && f->status != "suppressed")) continue;
    ordered_json& entry = doc["findings"][next++];
    if (const BaselineDelta* d = b.delta_of(i)) {
      entry["baseline_change"] = std::string(to_string(d->change));
      findings.push_back(std::move(entry));
    }
  }
  doc["findings"] = std::move(findings);
  doc["summary"]["baseline"] = summary_counts(b);
  doc["scan"]["baseline"] = scan_info(b);
}

EventSink baseline_filter(const BaselineDiff& diff, const pipeline::ScanResult& result, const RunInfo& run,
                          EventSink next) {
  auto gone_sent = std::make_shared<bool>(false);
  const BaselineDiff::Impl* b = &diff.impl();
  auto send_gone = [b, gone_sent, &result, run, next] {
    *gone_sent = true;
    for (const BaselineDelta& d : b->diff.deltas) {
      if (d.change != BaselineChange::Gone) continue;
      const RecordView& view = b->record_of(d);
      EventInfo info{EventInfo::Kind::File, false, &view, std::nullopt, &d, view.path};
      next(gone_event(*b, d, result, run), info);
    }
  };
  return [b, gone_sent, send_gone, next = std::move(next)](ordered_json&& ev, const EventInfo& info) {
    if (info.kind == EventInfo::Kind::File) {
      const BaselineDelta* d = info.index ? b->delta_of(*info.index) : nullptr;
      if (!d) return;  // unchanged
      ev["event"]["type"] = event_type(d->change, info.alert);
      ev["trustscan"]["baseline"] = baseline_annotation(*d);
      EventInfo annotated_info = info;
      annotated_info.delta = d;
      next(std::move(ev), annotated_info);
      return;
    }
    if (!*gone_sent) send_gone();
    if (info.kind == EventInfo::Kind::Summary) {
      ev["trustscan"]["summary"]["baseline"] = summary_counts(*b);
      ev["trustscan"]["scan"]["baseline"] = scan_info(*b);
    }
    next(std::move(ev), info);
  };
}

void report_events(const pipeline::ScanResult& result, const RunInfo& run, const EventSink& sink) {
  if (run.baseline) ndjson_events(result, run, baseline_filter(*run.baseline, result, run, sink));
  else ndjson_events(result, run, sink);
}

}  // namespace trustscan::report
