// Loading the vendor list (signatures/vendors/*.yaml): every problem is collected with its
// file:line, and the indexes the lookups of vendor_db.cpp use are built.
#include "attribute/vendor_db.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <utility>

#include "core/parallel.hpp"
#include "attribute/name_normalise.hpp"
#include "config/country.hpp"
#include "config/document.hpp"
#include "config/reader.hpp"

namespace trustscan::attribute {

using config::Diagnostics;
using config::Mark;
using config::Need;
using config::ObjectReader;
using config::Value;

namespace {

bool is_slug(std::string_view s) noexcept {
  if (s.empty() || s.size() > 64 || s.front() == '-' || s.back() == '-') return false;
  char prev = 0;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return true;
}

bool is_source_key(std::string_view s) noexcept {
  if (s.empty() || s.size() > 32 || !(s.front() >= 'A' && s.front() <= 'Z')) return false;
  return std::ranges::all_of(s, [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
}

bool is_lower_hex(std::string_view s) noexcept {
  return std::ranges::all_of(s, [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool has_outer_space(std::string_view s) noexcept {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  return !s.empty() && (space(s.front()) || space(s.back()));
}

std::string list_categories() {
  std::string out;
  for (Category c : all_categories()) out += (out.empty() ? "" : ", ") + std::string{to_string(c)};
  return out;
}

}  // namespace

/// Builds a VendorDb from parsed files, collecting every problem. A friend of VendorDb.
class VendorDbBuilder {
 public:
  void read_file(const config::Document& doc) {
    ObjectReader top(doc.root(), "vendor file", {"vendors", "sources"}, diag_);
    if (!top.valid()) return;
    for (const Value& s : top.list("sources")) read_source_definition(s);
    // A file may hold only the sources legend; otherwise it must list vendors.
    const Value* vendors = top.get("vendors", top.find("sources") ? Need::Optional : Need::Required);
    if (vendors != nullptr && !vendors->is_sequence()) {
      diag_.error(vendors->mark(), "vendor file: vendors: expected a list, found " + std::string{vendors->kind_name()});
      return;
    }
    if (vendors != nullptr) {
      for (const Value& v : vendors->items()) read_vendor(v);
    }
  }

  Result<VendorDb> finish() {
    check_ids();
    resolve_parents();
    check_sources();
    build_indexes();
    if (!diag_.empty()) return std::unexpected(diag_.to_error());
    return std::move(db_);
  }

  Diagnostics& diagnostics() { return diag_; }

 private:
  struct Located {
    std::string text;
    Mark mark;
  };
  struct Pending {
    Vendor vendor;
    Mark mark;
    Mark id_mark;
    std::optional<Mark> parent_mark;
    std::vector<Mark> legal_marks, company_marks, file_marks, thumb_marks, team_marks, service_marks, holder_marks;
    std::vector<Located> source_refs;
  };

  void read_source_definition(const Value& v) {
    ObjectReader r(v, "source", {"key", "title", "url"}, diag_);
    if (!r.valid()) return;
    auto key = r.string("key", Need::Required);
    auto title = r.string("title", Need::Required);
    auto url = r.string("url");
    if (title && title->empty()) diag_.error(r.key_mark("title"), r.member("title") + ": must not be empty");
    if (url && !(url->starts_with("https://") || url->starts_with("http://"))) {
      diag_.error(r.key_mark("url"), r.member("url") + ": must be an http(s) URL");
    }
    if (!key) return;
    if (!is_source_key(*key)) {
      diag_.error(r.key_mark("key"),
                  "source '" + *key + "': keys are upper-case letters, digits and '_' (e.g. LOL, MSBL)");
      return;
    }
    const auto [it, inserted] = source_keys_.emplace(*key, r.key_mark("key"));
    if (!inserted) {
      diag_.error(r.key_mark("key"), "source '" + *key + "': defined twice (first at " + it->second.to_string() + ")");
    }
  }

  /// Reads a list of names, checking each with `check` (which returns "" or a problem).
  template <class Check>
  void read_list(ObjectReader& r, std::string_view key, std::vector<std::string>& out, std::vector<Mark>& marks,
                 Check check) {
    for (const Value& item : r.list(key)) {
      auto s = config::as_string(item, r.member(key), diag_);
      if (!s) continue;
      std::string problem;
      if (s->empty())
        problem = "empty entry";
      else if (has_outer_space(*s))
        problem = "'" + *s + "' has leading or trailing spaces";
      else
        problem = check(*s);
      if (!problem.empty()) {
        diag_.error(item.mark(), r.member(key) + ": " + problem);
        continue;
      }
      if (std::ranges::find(out, *s) != out.end()) {
        diag_.error(item.mark(), r.member(key) + ": '" + *s + "' is listed twice");
        continue;
      }
      out.push_back(std::move(*s));
      marks.push_back(item.mark());
    }
  }

  static std::string check_name(const std::string& s) {
    const std::string n = normalize_name(s);
    if (n.empty()) return "'" + s + "' has no letters or digits";
    if (only_legal_form(n)) {
      return "'" + s +
             "' is only a legal form; in a flow list [a, b] a comma splits names, so quote "
             "names that contain one (\"Acme, Inc.\")";
    }
    return {};
  }

  void read_vendor(const Value& value) {
    // Name the vendor in every message, including the key checks done by the constructor.
    std::string what = "vendor";
    for (const config::Entry& e : value.entries()) {
      if (e.key.text() == "id" && e.value.is_scalar()) what = "vendor '" + e.value.text() + "'";
    }
    ObjectReader r(value, what,
                   {"id", "name", "legal_names", "company_names", "file_names", "thumbprints", "team_ids",
                    "signing_services", "copyright_holders", "country", "parent", "category", "notes", "sources"},
                   diag_);
    if (!r.valid()) return;
    Pending p;
    p.mark = r.mark();
    p.vendor.origin = r.mark().to_string();
    read_identity(r, p);
    read_names(r, p);
    read_jurisdiction(r, p);
    read_category(r, p.vendor);
    if (auto notes = r.string("notes")) p.vendor.notes = std::move(*notes);
    read_sources(r, p);
    pending_.push_back(std::move(p));
  }

  /// id and name.
  void read_identity(ObjectReader& r, Pending& p) {
    Vendor& v = p.vendor;
    if (auto id = r.string("id", Need::Required)) {
      p.id_mark = r.find("id")->mark();
      if (!is_slug(*id)) {
        diag_.error(p.id_mark,
                    "vendor '" + *id + "': id must be lower-case letters, digits and single '-' (e.g. 'trend-micro')");
      }
      v.id = std::move(*id);
      r.set_what("vendor '" + v.id + "'");
    }
    if (auto name = r.string("name", Need::Required)) {
      if (name->empty() || has_outer_space(*name)) {
        diag_.error(r.find("name")->mark(), r.member("name") + ": must be non-empty without outer spaces");
      }
      v.name = std::move(*name);
    }
  }

  /// The lists of names, file names, thumbprints and team IDs the vendor is found by.
  void read_names(ObjectReader& r, Pending& p) {
    Vendor& v = p.vendor;
    read_list(r, "legal_names", v.legal_names, p.legal_marks, check_name);
    read_list(r, "company_names", v.company_names, p.company_marks, check_name);
    read_list(r, "signing_services", v.signing_services, p.service_marks, check_name);
    read_list(r, "copyright_holders", v.copyright_holders, p.holder_marks, check_name);
    read_list(r, "file_names", v.file_names, p.file_marks, [](const std::string& s) -> std::string {
      if (s.find_first_of("/\\") != std::string::npos) return "'" + s + "' must be a file name, not a path";
      if (std::ranges::any_of(s, [](char c) { return c >= 'A' && c <= 'Z'; })) {
        std::string lower = s;
        for (char& c : lower) c = ascii_lower(c);
        return "'" + s + "' must be lower-case ('" + lower + "'); lookups ignore case";
      }
      return {};
    });
    read_list(r, "thumbprints", v.thumbprints, p.thumb_marks, [](const std::string& s) -> std::string {
      if ((s.size() != 40 && s.size() != 64) || !is_lower_hex(s)) {
        return "'" + s +
               "' must be a SHA-1 (40) or SHA-256 (64) digest in lower-case hex without "
               "separators";
      }
      return {};
    });
    read_list(r, "team_ids", v.team_ids, p.team_marks, [](const std::string& s) -> std::string {
      const bool ok = s.size() == 10 &&
                      std::ranges::all_of(s, [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
      return ok ? std::string{} : "'" + s + "' is not an Apple Team ID (10 upper-case letters or digits)";
    });
  }

  /// country and parent: one of them must be there.
  void read_jurisdiction(ObjectReader& r, Pending& p) {
    Vendor& v = p.vendor;
    const Value* country = r.find("country");
    if (country != nullptr) {
      v.country_given = true;
      if (!country->is_null()) {
        if (auto code = config::as_string(*country, r.member("country"), diag_)) {
          if (config::is_country_code(*code)) {
            v.country = std::move(*code);
          } else {
            std::string hint;
            std::string upper = *code;
            for (char& c : upper) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
            if (upper != *code && config::is_country_code(upper))
              hint = " (codes are upper-case: '" + upper + "')";
            else if (auto right = config::common_mistake(upper); !right.empty()) {
              hint = " (did you mean '" + std::string{right} + "'?)";
            }
            diag_.error(country->mark(),
                        r.member("country") + ": '" + *code + "' is not an ISO 3166-1 alpha-2 country code" + hint);
          }
        }
      }
    }
    if (const Value* parent = r.find("parent"); parent != nullptr && !parent->is_null()) {
      if (auto id = config::as_string(*parent, r.member("parent"), diag_)) {
        v.parent = std::move(*id);
        p.parent_mark = parent->mark();
      }
    }
    if (country == nullptr && r.find("parent") == nullptr) {
      diag_.error(r.mark(), r.what() +
                                ": needs 'country' (ISO 3166-1 alpha-2, or null for no single "
                                "jurisdiction) or a 'parent' to inherit it from");
    }
  }

  void read_category(ObjectReader& r, Vendor& v) {
    if (auto category = r.string("category", Need::Required)) {
      if (auto c = category_from_string(*category)) {
        v.category = *c;
      } else {
        diag_.error(r.find("category")->mark(), r.member("category") + ": unknown category '" + *category +
                                                    "' (one of: " + list_categories() + ")");
      }
    }
  }

  /// The cited facts; their source keys are checked against the legend once every file is read.
  void read_sources(ObjectReader& r, Pending& p) {
    Vendor& v = p.vendor;
    const auto sources = r.list("sources", Need::Required);
    if (r.find("sources") != nullptr && r.find("sources")->is_sequence() && sources.empty()) {
      diag_.error(r.key_mark("sources"), r.member("sources") + ": every vendor needs at least one source");
    }
    for (const Value& s : sources) {
      ObjectReader sr(s, r.member("sources"), {"fact", "source"}, diag_);
      if (!sr.valid()) continue;
      auto fact = sr.string("fact", Need::Required);
      auto source = sr.string("source", Need::Required);
      if (fact && fact->empty()) diag_.error(sr.key_mark("fact"), sr.member("fact") + ": must not be empty");
      if (!fact || !source) continue;
      p.source_refs.push_back(Located{*source, sr.find("source")->mark()});
      v.sources.push_back(SourceRef{std::move(*fact), std::move(*source)});
    }
  }

  void check_ids() {
    std::unordered_map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      const std::string& id = pending_[i].vendor.id;
      if (id.empty()) continue;
      const auto [it, inserted] = seen.emplace(id, i);
      if (!inserted) {
        diag_.error(pending_[i].id_mark, "vendor '" + id + "': duplicate id (first defined at " +
                                             pending_[it->second].mark.to_string() + ")");
      }
    }
  }

  void resolve_parents() {
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < pending_.size(); ++i) index.emplace(pending_[i].vendor.id, i);
    std::vector<std::int32_t> parent(pending_.size(), -1);
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      const Vendor& v = pending_[i].vendor;
      if (!v.parent) continue;
      const auto it = index.find(*v.parent);
      if (it == index.end()) {
        diag_.error(*pending_[i].parent_mark, "vendor '" + v.id + "': parent '" + *v.parent + "' is not a vendor id");
      } else if (it->second == i) {
        diag_.error(*pending_[i].parent_mark, "vendor '" + v.id + "': a vendor cannot be its own parent");
      } else {
        parent[i] = static_cast<std::int32_t>(it->second);
      }
    }
    // Cycles: walk up from each vendor; more steps than vendors means a loop.
    std::vector<bool> reported(pending_.size(), false);
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      std::int32_t cur = parent[i];
      std::size_t steps = 0;
      while (cur >= 0 && steps <= pending_.size()) {
        if (static_cast<std::size_t>(cur) == i) break;
        cur = parent[static_cast<std::size_t>(cur)];
        ++steps;
      }
      if (cur >= 0 && static_cast<std::size_t>(cur) == i && !reported[i]) {
        std::string chain = pending_[i].vendor.id;
        for (auto k = parent[i]; k >= 0 && static_cast<std::size_t>(k) != i; k = parent[static_cast<std::size_t>(k)]) {
          chain += " -> " + pending_[static_cast<std::size_t>(k)].vendor.id;
          reported[static_cast<std::size_t>(k)] = true;
        }
        chain += " -> " + pending_[i].vendor.id;
        diag_.error(*pending_[i].parent_mark, "vendor '" + pending_[i].vendor.id + "': parent cycle " + chain);
        reported[i] = true;
      }
    }
    parent_ = std::move(parent);
    index_ = std::move(index);
  }

  void check_sources() {
    for (const Pending& p : pending_) {
      for (const Located& ref : p.source_refs) {
        if (ref.text.starts_with("https://") || ref.text.starts_with("http://")) continue;
        const std::string key = ref.text.substr(0, ref.text.find(':'));
        if (!source_keys_.contains(key)) {
          diag_.error(ref.mark, "vendor '" + p.vendor.id + "': source '" + ref.text +
                                    "' is neither an http(s) URL nor a key of the sources legend");
        }
      }
    }
  }

  using Owner = std::pair<std::size_t, Mark>;  // pending index, where the name is written

  /// Records `key` for vendor `i`; reports a name that another vendor already has.
  void claim(std::unordered_map<std::string, Owner>& owners, const std::string& key, std::size_t i, const Mark& mark,
             std::string_view what, std::string_view text, std::string_view key_kind = "normalised") {
    if (key.empty()) return;
    const auto [it, inserted] = owners.emplace(key, Owner{i, mark});
    if (!inserted && it->second.first != i) {
      diag_.error(mark, "vendor '" + pending_[i].vendor.id + "': " + std::string{what} + " '" + std::string{text} +
                            "' (" + std::string{key_kind} + " '" + key + "') is also a name of vendor '" +
                            pending_[it->second.first].vendor.id + "' (" + it->second.second.to_string() +
                            "); names must identify one vendor");
    }
  }

  /// Names already claimed, by normalised key: which vendor (pending index) and where.
  struct Owners {
    std::unordered_map<std::string, Owner> exact, loose, look_alike, service, thumb, team;
  };

  void build_indexes() {
    const std::vector<std::size_t> order = id_order();
    std::vector<std::uint32_t> position(pending_.size());
    for (std::size_t k = 0; k < order.size(); ++k) position[order[k]] = static_cast<std::uint32_t>(k);
    Owners owners;
    for (std::size_t i = 0; i < pending_.size(); ++i) index_vendor(i, position[i], owners);
    check_variants(owners);
    for (auto& [name, refs] : db_.files_) { std::ranges::sort(refs, {}, &VendorDb::Ref::vendor); }
    // Holders in vendor order, so that ties are resolved the same way every run.
    for (auto* holders : {&db_.holders_, &db_.holders_look_alike_})
      std::ranges::stable_sort(*holders, {}, [](const VendorDb::Holder& h) { return h.ref.vendor; });

    store_vendors(order, position);
    resolve_countries();
  }

  /// Pending indexes sorted by vendor id (the order of VendorDb::vendors()).
  std::vector<std::size_t> id_order() const {
    std::vector<std::size_t> order(pending_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::ranges::sort(order, {}, [&](std::size_t i) -> const std::string& { return pending_[i].vendor.id; });
    return order;
  }

  /// Indexes every name of pending vendor `i`, which becomes vendor `at`.
  void index_vendor(std::size_t i, std::uint32_t at, Owners& owners) {
    const Pending& p = pending_[i];
    const Vendor& v = p.vendor;
    const auto add_names = [&](const std::vector<std::string>& names, const std::vector<Mark>& marks, MatchField field,
                               std::string_view what) {
      auto& exact = field == MatchField::LegalName ? db_.legal_exact_ : db_.company_exact_;
      auto& loose = field == MatchField::LegalName ? db_.legal_loose_ : db_.company_loose_;
      for (std::size_t k = 0; k < names.size(); ++k) {
        const std::string n = normalize_name(names[k]);
        const std::string l = strip_legal_forms(n);
        claim(owners.exact, n, i, marks[k], what, names[k]);
        if (l != n) claim(owners.loose, l, i, marks[k], what, names[k]);
        const VendorDb::Ref ref{at, field, static_cast<std::uint32_t>(k)};
        exact.emplace(n, ref);
        loose.emplace(l, ref);
        auto& look_alike = field == MatchField::LegalName ? db_.legal_look_alike_ : db_.company_look_alike_;
        for (std::string& key : VendorDb::look_alike_keys(names[k])) {
          claim(owners.look_alike, key, i, marks[k], what, names[k], "look-alike key");
          look_alike.emplace(std::move(key), ref);
        }
      }
    };
    add_names(v.legal_names, p.legal_marks, MatchField::LegalName, "legal name");
    add_names(v.company_names, p.company_marks, MatchField::CompanyName, "company name");
    for (std::size_t k = 0; k < v.signing_services.size(); ++k) {
      const std::string n = normalize_name(v.signing_services[k]);
      claim(owners.service, n, i, p.service_marks[k], "signing service", v.signing_services[k]);
      db_.services_.emplace(n, VendorDb::Ref{at, MatchField::SigningService, static_cast<std::uint32_t>(k)});
    }
    for (std::size_t k = 0; k < v.thumbprints.size(); ++k) {
      claim(owners.thumb, v.thumbprints[k], i, p.thumb_marks[k], "thumbprint", v.thumbprints[k]);
      db_.thumbprints_.emplace(v.thumbprints[k],
                               VendorDb::Ref{at, MatchField::Thumbprint, static_cast<std::uint32_t>(k)});
    }
    for (std::size_t k = 0; k < v.team_ids.size(); ++k) {
      claim(owners.team, v.team_ids[k], i, p.team_marks[k], "team id", v.team_ids[k]);
      db_.team_ids_.emplace(v.team_ids[k], VendorDb::Ref{at, MatchField::TeamId, static_cast<std::uint32_t>(k)});
    }
    for (std::size_t k = 0; k < v.file_names.size(); ++k) {
      db_.files_[v.file_names[k]].push_back(VendorDb::Ref{at, MatchField::FileName, static_cast<std::uint32_t>(k)});
    }
    for (std::size_t k = 0; k < v.copyright_holders.size(); ++k) {
      VendorDb::Holder h;
      const std::string normalized = normalize_name(v.copyright_holders[k]);  // outlives the views
      for (auto w : split_words(normalized)) h.tokens.emplace_back(w);
      h.ref = VendorDb::Ref{at, MatchField::CopyrightHolder, static_cast<std::uint32_t>(k)};
      for (auto& words : VendorDb::look_alike_holder_words(v.copyright_holders[k]))
        db_.holders_look_alike_.push_back(VendorDb::Holder{std::move(words), h.ref});
      db_.holders_.push_back(std::move(h));
    }
  }

  /// A name that is exact for one vendor and a legal-form variant for another is ambiguous too.
  void check_variants(const Owners& owners) {
    std::vector<std::pair<std::string, Owner>> loose_sorted(owners.loose.begin(), owners.loose.end());
    std::ranges::sort(loose_sorted, {}, [](const auto& kv) { return kv.second.first; });  // file order
    for (const auto& [key, owner] : loose_sorted) {
      if (auto it = owners.exact.find(key); it != owners.exact.end() && it->second.first != owner.first) {
        diag_.error(owner.second, "vendor '" + pending_[owner.first].vendor.id + "': a name reduces to '" + key +
                                      "', which is a name of vendor '" + pending_[it->second.first].vendor.id + "' (" +
                                      it->second.second.to_string() + "); names must identify one vendor");
      }
    }
  }

  /// Moves the vendors into the database in id order, with their parents' new positions.
  void store_vendors(const std::vector<std::size_t>& order, const std::vector<std::uint32_t>& position) {
    db_.vendors_.reserve(pending_.size());
    db_.parent_.assign(pending_.size(), -1);
    db_.country_.assign(pending_.size(), std::nullopt);
    for (std::size_t k = 0; k < order.size(); ++k) {
      const std::size_t i = order[k];
      db_.by_id_.emplace(pending_[i].vendor.id, static_cast<std::uint32_t>(k));
      if (parent_[i] >= 0) db_.parent_[k] = static_cast<std::int32_t>(position[static_cast<std::size_t>(parent_[i])]);
    }
    for (std::size_t k = 0; k < order.size(); ++k) db_.vendors_.push_back(std::move(pending_[order[k]].vendor));
  }

  /// Countries: own if the entry has a `country` key, else the parent's (cycles were reported
  /// above; the step bound keeps this finite anyway).
  void resolve_countries() {
    for (std::size_t k = 0; k < db_.vendors_.size(); ++k) {
      std::int64_t cur = static_cast<std::int64_t>(k);
      for (std::size_t steps = 0; cur >= 0 && steps <= db_.vendors_.size(); ++steps) {
        const Vendor& v = db_.vendors_[static_cast<std::size_t>(cur)];
        if (v.country_given) {
          db_.country_[k] = v.country;
          break;
        }
        cur = db_.parent_[static_cast<std::size_t>(cur)];
      }
    }
  }

  Diagnostics diag_;
  std::vector<Pending> pending_;
  std::unordered_map<std::string, Mark> source_keys_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<std::int32_t> parent_;
  VendorDb db_;
};

namespace {

/// Parses the files concurrently, on up to `threads` threads (0: one per core): each is a document of its own,
/// and parsing the YAML is most of what loading the list costs (about half of the start-up of a
/// cached re-scan). The documents come back in the files' order.
std::vector<Result<config::Document>> parse_files(const std::vector<std::filesystem::path>& files, unsigned threads) {
  std::vector<std::optional<Result<config::Document>>> docs(files.size());
  parallel_for(files.size(), threads_or_cores(threads), [&](std::size_t i) { docs[i] = config::parse_file(files[i]); });
  std::vector<Result<config::Document>> out;
  out.reserve(files.size());
  for (auto& doc : docs) out.push_back(std::move(*doc));
  return out;
}

}  // namespace

Result<VendorDb> VendorDb::load(std::span<const std::filesystem::path> paths, unsigned threads) {
  static constexpr std::array<std::string_view, 3> kExtensions = {".yaml", ".yml", ".json"};
  auto files = config::expand_paths(paths, kExtensions);
  if (!files) return std::unexpected(files.error());
  VendorDbBuilder builder;
  for (auto& doc : parse_files(*files, threads)) {
    if (!doc) {
      builder.diagnostics().add(doc.error().message);
      continue;
    }
    builder.read_file(*doc);
  }
  return builder.finish();
}

Result<VendorDb> VendorDb::parse(std::string_view text, std::string name) {
  auto doc = config::parse_text(text, std::move(name));
  if (!doc) return std::unexpected(doc.error());
  VendorDbBuilder builder;
  builder.read_file(*doc);
  return builder.finish();
}

}  // namespace trustscan::attribute
