#include "match/rule_set.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <system_error>
#include <utility>

#include "io/hashing.hpp"
#include "match/rule_set_impl.hpp"
#include "match/rule_source_index.hpp"

namespace trustscan::match {
namespace fs = std::filesystem;

std::string RuleDiagnostic::to_string() const {
  std::string out = file.empty() ? std::string("<rules>") : file.string();
  out += ':' + std::to_string(line) + ": ";
  if (level == Level::Warning) out += "warning: ";
  out += message;
  return out;
}

namespace detail {

std::string meta_value(const YR_META& meta) {
  switch (meta.type) {
    case META_TYPE_STRING: return meta.string != nullptr ? std::string(meta.string) : std::string();
    case META_TYPE_BOOLEAN: return meta.integer != 0 ? "true" : "false";
    default: return std::to_string(meta.integer);
  }
}

}  // namespace detail

namespace {

struct Source {
  fs::path file;
  std::string ns;
};

/// The gated rules of the sources (rule_set.hpp): `gated.yar` beside each `index.yar`.
std::vector<Source> gated_sources(const std::vector<Source>& sources) {
  std::vector<Source> out;
  for (const Source& s : sources) {
    std::error_code ec;
    if (s.file.filename() != "index.yar") continue;
    if (fs::path gated = s.file.parent_path() / "gated.yar"; fs::is_regular_file(gated, ec))
      out.push_back({gated, s.ns});
  }
  return out;
}

std::string namespace_for(const fs::path& file) {
  if (file.filename() == "index.yar") {
    auto dir = file.parent_path().filename().string();
    if (!dir.empty() && dir != "." && dir != "..") return dir;
  }
  return file.stem().string();
}

bool is_rule_file(const fs::path& p) {
  const auto ext = p.extension();
  return ext == ".yar" || ext == ".yara";
}

/// Expands directories (index.yar wins, else every rule file below, sorted) into top-level sources.
Result<std::vector<Source>> expand(const std::vector<fs::path>& inputs) {
  std::vector<Source> out;
  for (const auto& input : inputs) {
    std::error_code ec;
    const auto status = fs::status(input, ec);
    if (ec || !fs::exists(status)) {
      return fail(Errc::Config, input.string() + ":0: no such rule file or directory");
    }
    if (!fs::is_directory(status)) {
      out.push_back({input, namespace_for(input)});
      continue;
    }
    if (const auto index = input / "index.yar"; fs::is_regular_file(index, ec)) {
      out.push_back({index, namespace_for(index)});
      continue;
    }
    std::vector<fs::path> found;
    for (auto it = fs::recursive_directory_iterator(input, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_regular_file(ec) && is_rule_file(it->path())) found.push_back(it->path());
    }
    if (ec) return fail(Errc::Config, input.string() + ":0: cannot list directory: " + ec.message());
    if (found.empty()) return fail(Errc::Config, input.string() + ":0: no *.yar or *.yara files");
    std::sort(found.begin(), found.end());
    for (auto& f : found) out.push_back({f, namespace_for(f)});
  }
  if (out.empty()) return fail(Errc::Config, "no rule files given");
  return out;
}

void on_compiler_message(int level, const char* file_name, int line, const YR_RULE* /*rule*/,
                         const char* message, void* user_data) {
  auto& diagnostics = *static_cast<std::vector<RuleDiagnostic>*>(user_data);
  diagnostics.push_back(RuleDiagnostic{
      level == YARA_ERROR_LEVEL_WARNING ? RuleDiagnostic::Level::Warning : RuleDiagnostic::Level::Error,
      file_name != nullptr ? fs::path(file_name) : fs::path(), line, message != nullptr ? message : ""});
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

bool is_slug(std::string_view s) {
  // Vendor ids as in signatures/vendors (docs/vendors.md): lower-case letters, digits, '-'.
  if (s.empty() || s.front() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

/// "file:line" of rule `name` in namespace `ns` as `index` found it, or "<ns>:0".
std::string location(const detail::RuleSourceIndex& index, const std::string& ns, const std::string& name) {
  const auto where = index.find(ns, name);
  return where ? where->file.string() + ':' + std::to_string(where->line) : "<" + ns + ">:0";
}

/// The sources and everything they include, indexed to locate rules in them.
detail::RuleSourceIndex index_of(const std::vector<Source>& sources) {
  detail::RuleSourceIndex index;
  for (const auto& s : sources) index.add_file(s.file, s.ns);
  return index;
}

/// Problems with the required meta of one rule; empty when it is complete.
std::vector<std::string> meta_problems(const YR_RULE* rule, const RuleInfo& info) {
  std::vector<std::string> problems;
  std::map<std::string, int> types;
  const YR_META* meta = nullptr;
  yr_rule_metas_foreach(rule, meta) { types[meta->identifier] = meta->type; }

  for (const auto key_view : kRequiredMeta) {
    const std::string key(key_view);
    const auto type = types.find(key);
    if (type == types.end()) {
      problems.push_back("lacks required meta '" + key + "'");
      continue;
    }
    if (type->second != META_TYPE_STRING || info.meta.at(key).empty()) {
      problems.push_back("meta '" + key + "' must be a non-empty text string");
      continue;
    }
    const auto& value = info.meta.at(key);
    if (key == "confidence" && !confidence_from_string(value)) {
      problems.push_back("meta 'confidence' must be low, medium or high, not '" + value + "'");
    } else if (key == "vendor" && !is_slug(value)) {
      problems.push_back("meta 'vendor' must be a vendor id [a-z0-9-] from signatures/vendors, not '" + value + "'");
    }
  }
  return problems;
}

/// RuleSet::fingerprint: the include closure of the sources is found the way libyara resolves
/// includes (RuleSourceIndex), then every file is hashed by path and content.
std::string sources_fingerprint(const std::vector<Source>& sources) {
  detail::RuleSourceIndex index;
  std::string text = std::string("libyara ") + YR_VERSION + "\n";
  for (const auto& s : sources) {
    index.add_file(s.file, s.ns);
    text += "source " + s.ns + " " + s.file.string() + "\n";
  }
  for (const auto& file : index.files()) {
    std::ifstream in(file, std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text += "file " + file.string() + " " + io::sha256_hex(std::as_bytes(std::span(content))) + "\n";
  }
  return io::sha256_hex(std::as_bytes(std::span(text)));
}

/// Declares the external variables and adds every source file to `compiler`; returns false when
/// a file could not be opened or compiled (the diagnostics say why).
Result<bool> add_sources(YR_COMPILER* compiler, const std::vector<Source>& sources,
                         std::vector<RuleDiagnostic>& diagnostics) {
  for (const auto& external : detail::kExternals) {
    if (const int rc = yr_compiler_define_string_variable(compiler, external.name, external.value);
        rc != ERROR_SUCCESS) {
      return fail(Errc::Internal, std::string("cannot declare external '") + external.name +
                                      "' (libyara error " + std::to_string(rc) + ")");
    }
  }
  for (const auto& source : sources) {
    // NOTE: libyara forbids further yr_compiler_add_* calls after a failed one, so stop at the
    // first file with errors; its messages already carry file:line.
    std::unique_ptr<FILE, int (*)(FILE*)> fh(std::fopen(source.file.c_str(), "r"), &std::fclose);
    if (!fh) {
      diagnostics.push_back({RuleDiagnostic::Level::Error, source.file, 0, "cannot open rule file"});
      return false;
    }
    if (yr_compiler_add_file(compiler, fh.get(), source.ns.c_str(), source.file.c_str()) != 0) return false;
  }
  return true;
}

/// The compiler's verdict: the first error (the only reliable one), or every warning when
/// warnings count as errors.
Result<void> check_diagnostics(const std::vector<RuleDiagnostic>& diagnostics, bool compile_failed,
                               const CompileOptions& options) {
  const auto has_level = [&](RuleDiagnostic::Level level) {
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [level](const RuleDiagnostic& d) { return d.level == level; });
  };
  const bool has_errors = has_level(RuleDiagnostic::Level::Error);
  const bool has_warnings = has_level(RuleDiagnostic::Level::Warning);
  if (compile_failed || has_errors) {
    // NOTE: only the first error is reliable. After an error inside an included file libyara 4.2
    // keeps the wrong file on its name stack, so later messages name the wrong file and report
    // spurious "can't open include file" errors (seen with rules/index.yar).
    const auto first = std::find_if(diagnostics.begin(), diagnostics.end(), [](const RuleDiagnostic& d) {
      return d.level == RuleDiagnostic::Level::Error;
    });
    if (first == diagnostics.end()) return fail(Errc::Config, "<rules>:0: compilation failed without a message");
    std::string message = first->to_string();
    const auto more = std::count_if(first + 1, diagnostics.end(), [](const RuleDiagnostic& d) {
      return d.level == RuleDiagnostic::Level::Error;
    });
    if (more > 0) message += "\n(" + std::to_string(more) + " further errors not shown; fix this one first)";
    return fail(Errc::Config, std::move(message));
  }
  if (has_warnings && options.warnings_as_errors) {
    std::vector<std::string> lines;
    lines.reserve(diagnostics.size());
    for (const auto& d : diagnostics) lines.push_back(d.to_string());
    return fail(Errc::Config, join_lines(lines));
  }
  return {};
}

/// The public rules of `rules` with their tags and meta. Required meta is checked on the compiled
/// rules (what will actually run); a problem is located in the source.
Result<std::vector<RuleInfo>> rule_infos(YR_RULES* rules, const std::vector<Source>& sources) {
  std::vector<RuleInfo> infos;
  std::unique_ptr<detail::RuleSourceIndex> index;  // built only when needed
  std::vector<std::string> problems;
  const YR_RULE* rule = nullptr;
  yr_rules_foreach(rules, rule) {
    if (RULE_IS_PRIVATE(rule)) continue;
    RuleInfo info{rule->identifier, rule->ns->name, {}, {}};
    const char* tag = nullptr;
    yr_rule_tags_foreach(rule, tag) { info.tags.emplace_back(tag); }
    const YR_META* meta = nullptr;
    yr_rule_metas_foreach(rule, meta) { info.meta.try_emplace(meta->identifier, detail::meta_value(*meta)); }

    const auto rule_problems = detail::is_gate(info.tags) ? std::vector<std::string>{} : meta_problems(rule, info);
    if (!rule_problems.empty()) {
      if (!index) index = std::make_unique<detail::RuleSourceIndex>(index_of(sources));
      const std::string prefix = location(*index, info.ns, info.name);
      for (const auto& p : rule_problems) problems.push_back(prefix + ": rule '" + info.name + "' " + p);
    }
    infos.push_back(std::move(info));
  }
  if (!problems.empty()) return fail(Errc::Config, join_lines(problems));
  return infos;
}

/// Compiles `sources` into one set of rules; its diagnostics are appended to `diagnostics`.
Result<detail::RulesHandle> compile_sources(const std::vector<Source>& sources, const CompileOptions& options,
                                            std::vector<RuleDiagnostic>& diagnostics) {
  auto compiler = detail::make_compiler();
  if (!compiler) return std::unexpected(compiler.error());
  std::vector<RuleDiagnostic> found;
  yr_compiler_set_callback(compiler->get(), on_compiler_message, &found);
  auto added = add_sources(compiler->get(), sources, found);
  if (!added) return std::unexpected(added.error());
  if (auto checked = check_diagnostics(found, !*added, options); !checked) return std::unexpected(checked.error());

  YR_RULES* raw_rules = nullptr;
  if (const int rc = yr_compiler_get_rules(compiler->get(), &raw_rules); rc != ERROR_SUCCESS) {
    return fail(Errc::Internal, "yr_compiler_get_rules failed (libyara error " + std::to_string(rc) + ")");
  }
  auto library = detail::YaraLibrary::acquire();
  if (!library) {
    yr_rules_destroy(raw_rules);
    return std::unexpected(library.error());
  }
  std::ranges::move(found, std::back_inserter(diagnostics));
  return detail::RulesHandle(std::move(*library), raw_rules);
}

/// The index's rule infos with each gate replaced by its gated rule's; Errc::Config, located in
/// the sources, when a gate has no gated rule or a gated rule no gate.
Result<std::vector<RuleInfo>> with_gated(std::vector<RuleInfo> infos, std::vector<RuleInfo> gated,
                                         const std::vector<Source>& sources, const std::vector<Source>& gated_sources) {
  std::vector<std::string> problems;
  for (RuleInfo& info : infos) {
    if (!detail::is_gate(info.tags)) continue;
    auto rule = std::ranges::find_if(gated, [&](const RuleInfo& g) { return g.ns == info.ns && g.name == info.name; });
    if (rule == gated.end()) {
      problems.push_back(location(index_of(sources), info.ns, info.name) + ": gate '" + info.name +
                         "' has no gated rule of that name");
      continue;
    }
    info = std::move(*rule);
    gated.erase(rule);
  }
  for (const RuleInfo& g : gated)
    problems.push_back(location(index_of(gated_sources), g.ns, g.name) + ": gated rule '" + g.name +
                       "' has no gate in the index");
  if (!problems.empty()) return fail(Errc::Config, join_lines(problems));
  return infos;
}

/// Every file compile() compiles: the sources, then their gated rules.
std::vector<Source> with_gated_sources(std::vector<Source> sources, const std::vector<Source>& gated) {
  sources.insert(sources.end(), gated.begin(), gated.end());
  return sources;
}

}  // namespace

Result<RuleSet> RuleSet::compile(const std::vector<fs::path>& files_or_dirs, const CompileOptions& options) {
  auto sources = expand(files_or_dirs);
  if (!sources) return std::unexpected(sources.error());
  const std::vector<Source> gated = gated_sources(*sources);

  std::vector<RuleDiagnostic> diagnostics;
  auto rules = compile_sources(*sources, options, diagnostics);
  if (!rules) return std::unexpected(rules.error());
  auto impl = std::make_shared<Impl>();
  impl->rules = std::move(*rules);
  auto infos = rule_infos(impl->rules.get(), *sources);
  if (!infos) return std::unexpected(infos.error());
  std::vector<RuleInfo> gated_infos;
  if (!gated.empty()) {
    auto gated_rules = compile_sources(gated, options, diagnostics);
    if (!gated_rules) return std::unexpected(gated_rules.error());
    impl->gated = std::move(*gated_rules);
    auto found = rule_infos(impl->gated.get(), gated);
    if (!found) return std::unexpected(found.error());
    gated_infos = std::move(*found);
  }
  infos = with_gated(std::move(*infos), std::move(gated_infos), *sources, gated);  // also: no gated.yar at all
  if (!infos) return std::unexpected(infos.error());
  impl->infos = std::move(*infos);
  const std::vector<Source> all = with_gated_sources(*sources, gated);
  for (const auto& s : all) impl->sources.push_back(s.file);
  impl->fingerprint = sources_fingerprint(all);
  for (auto& d : diagnostics) impl->warnings.push_back(std::move(d));
  return RuleSet(std::move(impl));
}

Result<std::string> RuleSet::fingerprint_of(const std::vector<fs::path>& files_or_dirs) {
  auto sources = expand(files_or_dirs);
  if (!sources) return std::unexpected(sources.error());
  return sources_fingerprint(with_gated_sources(*sources, gated_sources(*sources)));
}

const std::vector<RuleInfo>& RuleSet::rules() const noexcept { return impl_->infos; }
const std::vector<RuleDiagnostic>& RuleSet::warnings() const noexcept { return impl_->warnings; }
const std::vector<fs::path>& RuleSet::sources() const noexcept { return impl_->sources; }
const std::string& RuleSet::fingerprint() const noexcept { return impl_->fingerprint; }

std::string yara_version() { return "YARA " YR_VERSION; }

}  // namespace trustscan::match
