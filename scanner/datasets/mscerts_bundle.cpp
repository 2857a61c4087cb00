#include "datasets/mscerts_bundle.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace trustscan::datasets {

namespace {

constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
/// At most this many certificates (the program has ~500; a runaway file must not load forever).
constexpr std::size_t kMaxEntries = 10'000;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  return s;
}

bool is_base64(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Reads the file line by line; each function call handles one line.
class BundleReader {
 public:
  explicit BundleReader(std::string_view shown) : shown_(shown) {}

  Result<void> line(std::string_view raw, std::size_t number) {
    const std::string_view text = trim(raw);
    if (in_pem_) {
      pem_ += std::string(text) + "\n";
      if (text == kEnd) return finish_certificate();
      if (text.starts_with("-----")) return error(number, "unexpected '" + std::string(text) + "' inside a certificate");
      if (!std::all_of(text.begin(), text.end(), is_base64))
        return error(number, "not base64 inside a certificate: '" + std::string(text.substr(0, 60)) + "'");
      return {};
    }
    if (text.empty()) return {};
    if (text == kBegin) {
      in_pem_ = true;
      begin_line_ = number;
      pem_ = std::string(text) + "\n";
      return {};
    }
    if (text.starts_with("#")) {
      if (comment_line_ == 0) comment_line_ = number;
      const std::string_view body = trim(text.substr(1));
      if (const auto colon = body.find(':'); colon != std::string_view::npos)
        comments_[std::string(trim(body.substr(0, colon)))] = std::string(trim(body.substr(colon + 1)));
      return {};
    }
    return error(number, "neither a comment nor part of a PEM certificate: '" + std::string(text.substr(0, 60)) + "'");
  }

  Result<std::vector<BundleEntry>> finish(std::size_t last_line) {
    if (in_pem_) return error(begin_line_, "certificate not terminated by " + std::string(kEnd));
    if (comment_line_ != 0) return error(comment_line_, "comments after the last certificate");
    if (entries_.empty()) return fail(Errc::Malformed, std::string(shown_) + ": no certificate (" + std::to_string(last_line) + " lines)");
    return std::move(entries_);
  }

 private:
  Result<void> finish_certificate() {
    in_pem_ = false;
    auto certs = verify::read_certificates(std::as_bytes(std::span(pem_.data(), pem_.size())));
    if (certs.size() != 1) return error(begin_line_, "certificate cannot be decoded");
    if (entries_.size() >= kMaxEntries) return error(begin_line_, "more than " + std::to_string(kMaxEntries) + " certificates");
    if (auto id = comments_.find("Subject Identifier");
        id != comments_.end() && lower(id->second) != certs.front().info.thumbprint_sha1)
      return error(begin_line_, "Subject Identifier " + id->second + " is not the certificate's SHA-1 " +
                                    certs.front().info.thumbprint_sha1);
    entries_.push_back({begin_line_, std::move(comments_), std::move(pem_), std::move(certs.front())});
    comments_.clear();
    pem_.clear();
    comment_line_ = 0;
    return {};
  }

  std::unexpected<Error> error(std::size_t number, const std::string& message) const {
    return fail(Errc::Malformed, std::string(shown_) + ":" + std::to_string(number) + ": " + message);
  }

  std::string_view shown_;
  bool in_pem_ = false;
  std::size_t begin_line_ = 0;
  std::size_t comment_line_ = 0;  ///< first comment line of the pending block (0 = none)
  std::string pem_;
  std::map<std::string, std::string> comments_;
  std::vector<BundleEntry> entries_;
};

}  // namespace

Result<std::vector<BundleEntry>> read_bundle(std::string_view text, std::string_view shown) {
  BundleReader reader(shown);
  std::size_t number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view raw = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (auto ok = reader.line(raw, ++number); !ok) return std::unexpected(ok.error());
  }
  return reader.finish(number);
}

}  // namespace trustscan::datasets
