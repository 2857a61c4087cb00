// Baselines: load a previous JSON report, compare it with the current scan record by record, and
// reduce every output to what is new, changed or gone.
#include "report/baseline.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <tuple>

#include "report/baseline_impl.hpp"
#include "report/text.hpp"

namespace trustscan::report {
namespace {

using nlohmann::ordered_json;

ordered_json at(const ordered_json& j, const char* pointer) {
  ordered_json::json_pointer p(pointer);
  return j.contains(p) ? j.at(p) : ordered_json(nullptr);
}

/// The primary signature's status, "unsigned" when the format has one but the file is not
/// signed, null when the format has none.
ordered_json signature_status(const ordered_json& r) {
  ordered_json cs = at(r, "/file/code_signature");
  if (!cs.is_object()) return nullptr;
  if (cs.value("exists", true) == false) return "unsigned";
  return at(cs, "/status");
}

struct FieldRule {
  ComparedField field;
  ordered_json (*value)(const ordered_json& record);
};

/// How a Windows image registers the file: "service:start" of every service whose ImagePath is
/// it, sorted ("klif:boot"); null outside a Windows image, "" when no service loads it.
ordered_json windows_start(const ordered_json& r) {
  ordered_json w = at(r, "/trustscan/windows");
  if (!w.is_object()) return nullptr;
  std::vector<std::string> regs;
  for (const auto& s : w.value("services", ordered_json::array()))
    regs.push_back(s.value("name", "") + ":" + s.value("start", ""));
  std::ranges::sort(regs);
  std::string joined;
  for (const auto& x : regs) joined += (joined.empty() ? "" : ",") + x;
  return joined;
}

// THE table of compared fields: a `changed` record differs in at least one of these. Add a row to
// compare more; the name is what `trustscan.baseline.changes[].field` carries and
// docs/report-schema.md lists.
constexpr FieldRule kFields[] = {
    {{"sha256", "file.hash.sha256: the bytes changed"}, [](const ordered_json& r) { return at(r, "/file/hash/sha256"); }},
    {{"signature.status", "primary signature status (valid, untrusted, invalid, ..., unsigned)"}, signature_status},
    {{"signature.signer", "file.code_signature.subject_name"},
     [](const ordered_json& r) { return at(r, "/file/code_signature/subject_name"); }},
    {{"vendor", "trustscan.vendor.id (null: unattributed)"}, [](const ordered_json& r) { return at(r, "/trustscan/vendor/id"); }},
    {{"country", "trustscan.country"}, [](const ordered_json& r) { return at(r, "/trustscan/country"); }},
    {{"verdict", "trustscan.finding.status (null: unattributed)"},
     [](const ordered_json& r) { return at(r, "/trustscan/finding/status"); }},
    {{"severity", "trustscan.finding.severity"}, [](const ordered_json& r) { return at(r, "/trustscan/finding/severity"); }},
    {{"privilege", "trustscan.privilege"}, [](const ordered_json& r) { return at(r, "/trustscan/privilege"); }},
    {{"type", "trustscan.type"}, [](const ordered_json& r) { return at(r, "/trustscan/type"); }},
    {{"signature.source", "file.code_signature.source: embedded or catalog"},
     [](const ordered_json& r) { return at(r, "/file/code_signature/source"); }},
    {{"windows.start", "Windows image: service:start of every service that loads the file"}, windows_start},
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

std::vector<std::string> string_list(const ordered_json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& s : j)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

std::string path_of(const ordered_json& record) {
  ordered_json p = at(record, "/file/path");
  return p.is_string() ? p.get<std::string>() : std::string();
}

}  // namespace

std::span<const ComparedField> compared_fields() noexcept { return kComparedFields; }

ordered_json compared_value(std::string_view name, const ordered_json& record) {
  for (const auto& f : kFields)
    if (f.field.name == name) return f.value(record);
  return nullptr;
}

RecordDiff diff_records(const std::vector<std::string>& previous_roots, const ordered_json& previous_files,
                        const std::vector<std::string>& current_roots, const std::vector<ordered_json>& current_files) {
  RecordDiff out;
  // Pair roots: equal strings first; then, if exactly one root is left on each side, those two
  // (the same image mounted somewhere else). A record's key uses its current root's index; a
  // previous root without a partner gets a key no current record can have.
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
  for (std::size_t i = 0; i < partner.size(); ++i)
    if (partner[i] >= 0) out.root_pairs.emplace_back(previous_roots[i], current_roots[static_cast<std::size_t>(partner[i])]);

  // Key: (root id, path below it, n-th record with that pair) — nested roots can list a file twice.
  using Key = std::tuple<std::ptrdiff_t, std::string, std::size_t>;
  std::map<Key, std::size_t> previous;  // key -> index into previous_files
  {
    std::map<std::pair<std::ptrdiff_t, std::string>, std::size_t> seen;
    for (std::size_t i = 0; i < previous_files.size(); ++i) {
      auto [root, rel] = split_root(path_of(previous_files[i]), previous_roots);
      std::ptrdiff_t id = root >= 0 && partner[static_cast<std::size_t>(root)] >= 0
                              ? partner[static_cast<std::size_t>(root)]
                              : -2 - root;  // never a current root index
      std::size_t n = seen[{id, rel}]++;
      previous.emplace(Key{id, std::move(rel), n}, i);
    }
  }
  std::vector<bool> matched(previous_files.size(), false);
  std::map<std::pair<std::ptrdiff_t, std::string>, std::size_t> seen;
  for (std::size_t i = 0; i < current_files.size(); ++i) {
    const ordered_json& cur = current_files[i];
    auto [root, rel] = split_root(path_of(cur), current_roots);
    std::size_t n = seen[{root, rel}]++;
    auto it = previous.find(Key{root, rel, n});
    BaselineDelta d;
    d.current = i;
    d.path = path_of(cur);
    if (it == previous.end()) {
      d.change = BaselineChange::New;
      out.deltas.push_back(std::move(d));
      continue;
    }
    matched[it->second] = true;
    const ordered_json& old = previous_files[it->second];
    for (const auto& f : kFields) {
      ordered_json a = f.value(old), b = f.value(cur);
      if (a != b) d.changes.push_back({{"field", f.field.name}, {"old", std::move(a)}, {"new", std::move(b)}});
    }
    if (d.changes.empty()) {
      ++out.unchanged;
      continue;
    }
    d.change = BaselineChange::Changed;
    d.previous = it->second;
    out.deltas.push_back(std::move(d));
  }
  for (std::size_t i = 0; i < previous_files.size(); ++i) {
    if (matched[i]) continue;
    BaselineDelta d;
    d.change = BaselineChange::Gone;
    d.previous = i;
    d.path = path_of(previous_files[i]);
    out.deltas.push_back(std::move(d));
  }
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
  try {
    impl->doc = ordered_json::parse(text);
  } catch (const ordered_json::parse_error& e) {
    // An NDJSON stream parses up to the end of its first line.
    std::string first = text.substr(0, text.find('\n'));
    if (ordered_json::accept(first) && ordered_json::parse(first).contains("event"))
      return bad("this is an NDJSON event stream; a baseline must be a --format json report");
    return bad(std::string("not a JSON document: ") + e.what());
  }
  const ordered_json& d = impl->doc;
  if (!d.is_object() || !d.contains("schema_version") || !d["schema_version"].is_string())
    return bad("not a trustscan JSON report (no schema_version)");
  impl->schema_version = d["schema_version"].get<std::string>();
  std::string major = impl->schema_version.substr(0, impl->schema_version.find('.'));
  std::string our_major = std::string(kSchemaVersion.substr(0, kSchemaVersion.find('.')));
  if (major != our_major)
    return bad("report schema " + impl->schema_version + " is incompatible with this trustscan (schema " +
               std::string(kSchemaVersion) + "; only " + our_major + ".x reports can be compared)");
  if (!d.contains("files") || !d["files"].is_array() || !d.contains("scan") || !d["scan"].is_object() ||
      !d["scan"].contains("roots") || !d["scan"]["roots"].is_array())
    return bad("not a trustscan JSON report (no files or scan.roots)");
  if (d["scan"].contains("baseline"))
    return bad("this report was itself written with --baseline and lists only changes; use a full report");
  for (std::size_t i = 0; i < d["files"].size(); ++i)
    if (!at(d["files"][i], "/file/path").is_string())
      return bad("record " + std::to_string(i) + " has no file.path");
  return Baseline(std::move(impl));
}

std::size_t Baseline::records() const noexcept { return impl_->doc["files"].size(); }

BaselineDiff BaselineDiff::compare(const Baseline& previous, const pipeline::ScanResult& current) {
  auto impl = std::make_shared<Impl>();
  const Baseline::Impl& prev = previous.impl();
  impl->previous = previous.impl_;  // shared: deltas refer into the previous report
  for (const auto& r : current.options.roots) impl->current_roots.push_back(utf8_escaped(r));
  std::vector<ordered_json> records;
  records.reserve(current.records.size());
  for (const auto& r : current.records) records.push_back(record_object(r));
  impl->diff = diff_records(string_list(prev.doc["scan"]["roots"]), prev.doc["files"], impl->current_roots, records);
  impl->by_record.assign(current.records.size(), std::nullopt);
  for (std::size_t k = 0; k < impl->diff.deltas.size(); ++k) {
    const BaselineDelta& d = impl->diff.deltas[k];
    ++impl->counts[static_cast<int>(d.change)];
    if (!d.current) continue;
    impl->by_record[*d.current] = k;
    impl->by_current_path.emplace(d.path, k);
    const auto& v = current.records[*d.current].verdict;
    if (v && v->finding()) ++impl->findings;
  }
  return BaselineDiff(std::move(impl));
}

std::size_t BaselineDiff::count(BaselineChange c) const noexcept { return impl_->counts[static_cast<int>(c)]; }
std::size_t BaselineDiff::unchanged() const noexcept { return impl_->diff.unchanged; }
std::optional<BaselineChange> BaselineDiff::change_of(std::size_t index) const noexcept {
  if (index >= impl_->by_record.size() || !impl_->by_record[index]) return std::nullopt;
  return impl_->diff.deltas[*impl_->by_record[index]].change;
}

ordered_json baseline_annotation(const BaselineDelta& d) {
  ordered_json j{{"change", std::string(to_string(d.change))}};
  if (d.change == BaselineChange::Changed) j["changes"] = d.changes;
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
  const ordered_json& prev = b.previous->doc;
  ordered_json j{{"report", utf8_escaped(b.previous->path)}, {"previous_schema_version", b.previous->schema_version}};
  if (prev["scan"].contains("end") && prev["scan"]["end"].is_string()) j["previous_end"] = prev["scan"]["end"];
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

}  // namespace

void apply_baseline(const BaselineDiff& diff, ordered_json& doc) {
  const BaselineDiff::Impl& b = diff.impl();
  const ordered_json& prev_files = b.previous->doc["files"];
  ordered_json files = ordered_json::array();
  for (const BaselineDelta& d : b.diff.deltas)
    files.push_back(annotated(d.current ? doc["files"][*d.current] : prev_files[*d.previous], d));
  doc["files"] = std::move(files);
  ordered_json findings = ordered_json::array();
  for (auto& f : doc["findings"]) {
    auto [lo, hi] = b.by_current_path.equal_range(f["path"].get<std::string>());
    if (lo == hi) continue;
    f["baseline_change"] = std::string(to_string(b.diff.deltas[lo->second].change));
    findings.push_back(std::move(f));
  }
  doc["findings"] = std::move(findings);
  doc["summary"]["baseline"] = summary_counts(b);
  doc["scan"]["baseline"] = scan_info(b);
}

EventSink baseline_filter(const BaselineDiff& diff, const pipeline::ScanResult& result, const RunInfo& run,
                          EventSink next) {
  struct State {
    std::multimap<std::string, std::size_t> pending;  // file.path -> delta, consumed once each
    bool gone_sent = false;
  };
  auto state = std::make_shared<State>();
  state->pending = diff.impl().by_current_path;
  const BaselineDiff::Impl* b = &diff.impl();
  bool live = std::ranges::find(result.options.roots, std::string("/")) != result.options.roots.end();
  auto send_gone = [b, state, &result, run, live, next] {
    state->gone_sent = true;
    for (const BaselineDelta& d : b->diff.deltas) {
      if (d.change != BaselineChange::Gone) continue;
      const ordered_json& rec = b->previous->doc["files"][*d.previous];
      ordered_json ev = event_envelope(result, run, "event", "trustscan.file");
      bool kernel = rec["trustscan"].value("privilege", "") == "kernel";
      ev["event"]["category"] = kernel ? ordered_json{"driver", "file"} : ordered_json{"file"};
      ev["event"]["type"] = event_type(d.change, false);
      bool failed = rec["trustscan"].contains("errors") && !rec["trustscan"]["errors"].empty();
      ev["event"]["outcome"] = failed ? "failure" : "success";
      if (live) ev["host"] = {{"name", utf8_escaped(run.hostname)}};
      ordered_json a = annotated(rec, d);
      ev["file"] = std::move(a["file"]);
      ev["trustscan"] = std::move(a["trustscan"]);
      next(std::move(ev));
    }
  };
  return [b, state, send_gone, next](ordered_json&& ev) {
    std::string dataset = ev["event"].value("dataset", "");
    if (dataset == "trustscan.file") {
      auto it = state->pending.find(ev["file"].value("path", ""));
      if (it == state->pending.end()) return;  // unchanged
      const BaselineDelta& d = b->diff.deltas[it->second];
      state->pending.erase(it);
      ev["event"]["type"] = event_type(d.change, ev["event"].value("kind", "") == "alert");
      ev["trustscan"]["baseline"] = baseline_annotation(d);
      next(std::move(ev));
      return;
    }
    if (!state->gone_sent) send_gone();
    if (dataset == "trustscan.summary") {
      ev["trustscan"]["summary"]["baseline"] = summary_counts(*b);
      ev["trustscan"]["scan"]["baseline"] = scan_info(*b);
    }
    next(std::move(ev));
  };
}

void report_events(const pipeline::ScanResult& result, const RunInfo& run, const EventSink& sink) {
  if (run.baseline) ndjson_events(result, run, baseline_filter(*run.baseline, result, run, sink));
  else ndjson_events(result, run, sink);
}

}  // namespace trustscan::report
