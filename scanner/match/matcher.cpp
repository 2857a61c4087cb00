#include "match/matcher.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

#include "match/rule_set_impl.hpp"
#include "match/yara_handles.hpp"

namespace trustscan::match {

struct Matcher::State {
  std::shared_ptr<const RuleSet::Impl> rules;  // declared first: outlives the scanner
  detail::ScannerHandle scanner;
  MatchOptions options;
};

namespace {

struct ScanContext {
  const MatchOptions* options = nullptr;
  std::vector<RuleMatch>* out = nullptr;
};

RuleMatch to_rule_match(YR_SCAN_CONTEXT* context, const YR_RULE* rule, const MatchOptions& options) {
  RuleMatch m;
  m.rule = rule->identifier;
  m.ns = rule->ns->name;
  const char* tag = nullptr;
  yr_rule_tags_foreach(rule, tag) { m.tags.emplace_back(tag); }
  const YR_META* meta = nullptr;
  yr_rule_metas_foreach(rule, meta) { m.meta.try_emplace(meta->identifier, detail::meta_value(*meta)); }

  const YR_STRING* string = nullptr;
  yr_rule_strings_foreach(rule, string) {
    // NOTE: libyara 4.2 allocates YR_MATCH records from its notebook without 8-byte alignment
    // (UBSan: "misaligned address ... YR_MATCH"), so each record is copied out with memcpy instead
    // of being read in place as yr_string_matches_foreach would.
    const YR_MATCH* next = context->matches[string->idx].head;
    while (next != nullptr) {
      YR_MATCH match;
      std::memcpy(&match, next, sizeof match);
      next = match.next;
      if (match.is_private) continue;
      if (m.strings.size() >= options.max_strings_per_rule) {
        m.strings_truncated = true;
      } else {
        m.strings.push_back(StringMatch{string->identifier, static_cast<std::uint64_t>(match.base + match.offset),
                                        static_cast<std::uint32_t>(match.match_length)});
      }
      break;  // first occurrence only
    }
  }
  return m;
}

int on_scan_message(YR_SCAN_CONTEXT* context, int message, void* message_data, void* user_data) {
  auto& ctx = *static_cast<ScanContext*>(user_data);
  if (message == CALLBACK_MSG_RULE_MATCHING) {
    ctx.out->push_back(to_rule_match(context, static_cast<const YR_RULE*>(message_data), *ctx.options));
  }
  // CALLBACK_MSG_TOO_MANY_MATCHES: libyara stops collecting that string and goes on; with fast
  // mode it cannot happen for our rules. Module messages do not occur (no modules imported).
  return CALLBACK_CONTINUE;
}

}  // namespace

Matcher::Matcher(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;
Matcher::~Matcher() = default;

Result<Matcher> Matcher::create(const RuleSet& rules, const MatchOptions& options) {
  auto scanner = detail::make_scanner(rules.impl_->rules);
  if (!scanner) return std::unexpected(scanner.error());
  yr_scanner_set_flags(scanner->get(), SCAN_FLAGS_FAST_MODE);
  yr_scanner_set_timeout(scanner->get(), options.timeout_seconds);
  auto state = std::make_unique<State>(State{rules.impl_, std::move(*scanner), options});
  return Matcher(std::move(state));
}

Result<std::vector<RuleMatch>> Matcher::scan(std::span<const std::byte> bytes, const MatchExternals& externals) {
  YR_SCANNER* scanner = state_->scanner.get();
  // libyara copies string externals, so temporaries are fine; they need a terminating NUL.
  const std::string values[] = {std::string(externals.filename), std::string(externals.filepath),
                                std::string(externals.extension), std::string(to_string(externals.format)),
                                externals.privilege ? std::string(to_string(*externals.privilege))
                                                    : std::string("unknown")};
  static_assert(std::size(values) == std::size(detail::kExternals));
  for (std::size_t i = 0; i < std::size(values); ++i) {
    if (const int rc = yr_scanner_define_string_variable(scanner, detail::kExternals[i].name, values[i].c_str());
        rc != ERROR_SUCCESS) {
      return fail(Errc::Internal, std::string("yara: cannot set external '") + detail::kExternals[i].name +
                                      "' (libyara error " + std::to_string(rc) + ")");
    }
  }

  std::vector<RuleMatch> out;
  ScanContext ctx{&state_->options, &out};
  yr_scanner_set_callback(scanner, on_scan_message, &ctx);
  static const std::uint8_t kEmpty = 0;  // libyara wants a valid pointer even for 0 bytes
  const auto* data = bytes.empty() ? &kEmpty : reinterpret_cast<const std::uint8_t*>(bytes.data());
  const int rc = yr_scanner_scan_mem(scanner, data, bytes.size());
  yr_scanner_set_callback(scanner, nullptr, nullptr);
  switch (rc) {
    case ERROR_SUCCESS: return out;
    case ERROR_SCAN_TIMEOUT:
      return fail(Errc::TooLarge,
                  "yara: scan exceeded the " + std::to_string(state_->options.timeout_seconds) + " s timeout");
    case ERROR_INSUFFICIENT_MEMORY: return fail(Errc::Internal, "yara: out of memory");
    case ERROR_TOO_MANY_SCAN_THREADS:
      return fail(Errc::Internal, "yara: more than 32 threads scanning one rule set");
    default: return fail(Errc::Internal, "yara: scan failed (libyara error " + std::to_string(rc) + ")");
  }
}

Result<std::vector<RuleMatch>> Matcher::scan_file(std::span<const std::byte> bytes, std::string_view path,
                                                  Format format, std::optional<Privilege> privilege) {
  auto slash = path.find_last_of('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  auto dot = name.find_last_of('.');
  std::string ext = dot == std::string_view::npos || dot == 0 ? std::string() : std::string(name.substr(dot + 1));
  std::ranges::transform(ext, ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return scan(bytes, MatchExternals{name, path, ext, format, privilege});
}

}  // namespace trustscan::match
