#include "match/matcher.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <cctype>
#include <cstring>
#include <string>

#include "core/deadline.hpp"
#include "match/rule_set_impl.hpp"
#include "match/yara_handles.hpp"

namespace trustscan::match {

struct Matcher::State {
  std::shared_ptr<const RuleSet::Impl> rules;  // declared first: outlives the scanners
  detail::ScannerHandle scanner;
  detail::ScannerHandle gated;  ///< over the gated rules, when there are any (rule_set.hpp)
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

constexpr const char* kMatching = "matching the rules";

/// libyara's timeout (whole seconds) for one scan: the matcher's own, or less when the thread's
/// deadline (core/deadline.hpp) comes first — rounded up, so libyara may overrun it by < 1 s.
int scan_timeout_seconds(int own) {
  const Deadline* d = current_deadline();
  const auto left = d ? d->remaining() : std::nullopt;
  if (!left) return own;
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(*left).count();
  const int budget = static_cast<int>(std::clamp<std::int64_t>(seconds, 1, std::numeric_limits<int>::max()));
  return own > 0 ? std::min(own, budget) : budget;
}

/// The blocks libyara scans a file in (matcher.hpp, "Files read on demand"): in memory, the file
/// as one block, exactly as yr_scanner_scan_mem; read on demand, the first kFirstBlock bytes in a
/// buffer kept for the whole scan (the one block rule conditions most read, by uint16/uint32 at
/// header offsets) and then blocks of kBlock bytes overlapping by kBlockOverlap, read with pread
/// into one reused buffer when libyara fetches them.
class BlockReader {
 public:
  explicit BlockReader(const ByteSource& src) : src_(src) {
    iterator_.context = this;
    iterator_.first = [](YR_MEMORY_BLOCK_ITERATOR* it) { return self(it).at(0); };
    iterator_.next = [](YR_MEMORY_BLOCK_ITERATOR* it) { return self(it).next(); };
    iterator_.file_size = [](YR_MEMORY_BLOCK_ITERATOR* it) -> std::uint64_t { return self(it).src_.size(); };
    iterator_.last_error = ERROR_SUCCESS;
  }
  BlockReader(const BlockReader&) = delete;
  BlockReader& operator=(const BlockReader&) = delete;
  YR_MEMORY_BLOCK_ITERATOR* iterator() noexcept { return &iterator_; }
  /// The first read failure ("" = none): the scan saw less than the whole file.
  [[nodiscard]] const std::string& read_error() const noexcept { return read_error_; }

 private:
  static BlockReader& self(YR_MEMORY_BLOCK_ITERATOR* it) { return *static_cast<BlockReader*>(it->context); }

  /// The block starting at `base`; nullptr past the end (a file of 0 bytes still has one block).
  YR_MEMORY_BLOCK* at(std::uint64_t base) {
    const std::uint64_t total = src_.size();
    if (base != 0 && base >= total) return nullptr;
    const std::uint64_t want = src_.in_memory() ? total : base == 0 ? kFirstBlock : kBlock;
    block_.base = base;
    block_.size = static_cast<std::size_t>(std::min<std::uint64_t>(want, total - base));
    block_.context = this;
    block_.fetch_data = [](YR_MEMORY_BLOCK* b) { return static_cast<BlockReader*>(b->context)->fetch(*b); };
    return &block_;
  }
  YR_MEMORY_BLOCK* next() {
    const std::uint64_t end = block_.base + block_.size;
    if (end >= src_.size()) return nullptr;
    // Past the file's deadline no further block is read; Matcher::scan reports the timeout.
    if (const Deadline* d = current_deadline(); d && d->passed(kMatching)) return nullptr;
    return at(end - std::min<std::uint64_t>(kBlockOverlap, block_.size));
  }
  const std::uint8_t* fetch(const YR_MEMORY_BLOCK& b) {
    static const std::uint8_t kEmpty = 0;  // libyara wants a valid pointer even for 0 bytes
    if (b.size == 0) return &kEmpty;
    if (auto whole = src_.in_memory()) return reinterpret_cast<const std::uint8_t*>(whole->data() + b.base);
    std::vector<std::byte>& buffer = b.base == 0 ? first_ : rolling_;
    if (b.base == 0 && first_.size() >= b.size) return reinterpret_cast<const std::uint8_t*>(first_.data());
    if (b.base != 0 && rolling_base_ == b.base) return reinterpret_cast<const std::uint8_t*>(rolling_.data());
    auto got = src_.read(b.base, b.size, buffer);
    if (!got) {
      if (read_error_.empty()) read_error_ = got.error().message;
      return nullptr;  // libyara skips a block it cannot fetch
    }
    if (b.base != 0) rolling_base_ = b.base;
    return reinterpret_cast<const std::uint8_t*>(got->data());
  }

  const ByteSource& src_;
  YR_MEMORY_BLOCK_ITERATOR iterator_{};
  YR_MEMORY_BLOCK block_{};
  std::vector<std::byte> first_, rolling_;
  std::uint64_t rolling_base_ = 0;
  std::string read_error_;
};

}  // namespace

Matcher::Matcher(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;
Matcher::~Matcher() = default;

namespace {

Result<detail::ScannerHandle> make_fast_scanner(const detail::RulesHandle& rules, const MatchOptions& options) {
  auto scanner = detail::make_scanner(rules);
  if (!scanner) return std::unexpected(scanner.error());
  yr_scanner_set_flags(scanner->get(), SCAN_FLAGS_FAST_MODE);
  yr_scanner_set_timeout(scanner->get(), options.timeout_seconds);
  return scanner;
}

/// One libyara scan of `bytes` with `scanner` (the index's or the gated rules').
Result<std::vector<RuleMatch>> scan_with(YR_SCANNER* scanner, const MatchOptions& options, const ByteSource& bytes,
                                         const MatchExternals& externals) {
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

  if (auto in_time = check_deadline(kMatching); !in_time) return std::unexpected(in_time.error());
  const int timeout = scan_timeout_seconds(options.timeout_seconds);
  yr_scanner_set_timeout(scanner, timeout);
  std::vector<RuleMatch> out;
  ScanContext ctx{&options, &out};
  yr_scanner_set_callback(scanner, on_scan_message, &ctx);
  // In memory: one block, as yr_scanner_scan_mem makes it. Read on demand: bounded blocks.
  BlockReader blocks(bytes);
  const int rc = yr_scanner_scan_mem_blocks(scanner, blocks.iterator());
  yr_scanner_set_callback(scanner, nullptr, nullptr);
  if (!blocks.read_error().empty())
    return fail(Errc::Io, "yara: part of the file could not be read: " + blocks.read_error());
  const Deadline* deadline = current_deadline();
  if (deadline && deadline->fired()) return fail(Errc::Timeout, "yara: the file's time budget ran out");
  switch (rc) {
    case ERROR_SUCCESS: return out;
    case ERROR_SCAN_TIMEOUT:
      // libyara's timeout is at least the time left, rounded up: past it, the budget ran out.
      if (deadline && deadline->passed(kMatching)) return fail(Errc::Timeout, "yara: the file's time budget ran out");
      return fail(Errc::TooLarge, "yara: scan exceeded the " + std::to_string(options.timeout_seconds) + " s timeout");
    case ERROR_INSUFFICIENT_MEMORY: return fail(Errc::Internal, "yara: out of memory");
    case ERROR_TOO_MANY_SCAN_THREADS:
      return fail(Errc::Internal, "yara: more than 32 threads scanning one rule set");
    default: return fail(Errc::Internal, "yara: scan failed (libyara error " + std::to_string(rc) + ")");
  }
}

bool is_gate(const RuleMatch& m) { return detail::is_gate(m.tags); }

}  // namespace

Result<Matcher> Matcher::create(const RuleSet& rules, const MatchOptions& options) {
  auto scanner = make_fast_scanner(rules.impl_->rules, options);
  if (!scanner) return std::unexpected(scanner.error());
  detail::ScannerHandle gated;
  if (rules.impl_->gated) {
    auto made = make_fast_scanner(rules.impl_->gated, options);
    if (!made) return std::unexpected(made.error());
    gated = std::move(*made);
  }
  auto state = std::make_unique<State>(State{rules.impl_, std::move(*scanner), std::move(gated), options});
  return Matcher(std::move(state));
}

Result<std::vector<RuleMatch>> Matcher::scan(const ByteSource& bytes, const MatchExternals& externals) {
  auto found = scan_with(state_->scanner.get(), state_->options, bytes, externals);
  if (!found || !std::ranges::any_of(*found, is_gate)) return found;
  // A gate matched: the gated rules over the same bytes, each match in its gate's place.
  std::vector<RuleMatch> gated;
  if (state_->gated) {
    auto more = scan_with(state_->gated.get(), state_->options, bytes, externals);
    if (!more) return std::unexpected(more.error());
    gated = std::move(*more);
  }
  std::vector<RuleMatch> out;
  out.reserve(found->size());
  for (RuleMatch& m : *found) {
    if (!is_gate(m)) {
      out.push_back(std::move(m));
      continue;
    }
    auto rule = std::ranges::find_if(gated, [&](const RuleMatch& g) { return g.ns == m.ns && g.rule == m.rule; });
    if (rule != gated.end()) out.push_back(std::move(*rule));
  }
  return out;
}

Result<std::vector<RuleMatch>> Matcher::scan(std::span<const std::byte> bytes, const MatchExternals& externals) {
  return scan(SpanSource(bytes), externals);
}

Result<std::vector<RuleMatch>> Matcher::scan_file(std::span<const std::byte> bytes, std::string_view path,
                                                  Format format, std::optional<Privilege> privilege) {
  return scan_file(SpanSource(bytes), path, format, privilege);
}

Result<std::vector<RuleMatch>> Matcher::scan_file(const ByteSource& bytes, std::string_view path, Format format,
                                                  std::optional<Privilege> privilege) {
  auto slash = path.find_last_of('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  auto dot = name.find_last_of('.');
  std::string ext = dot == std::string_view::npos || dot == 0 ? std::string() : std::string(name.substr(dot + 1));
  std::ranges::transform(ext, ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return scan(bytes, MatchExternals{name, path, ext, format, privilege});
}

}  // namespace trustscan::match
