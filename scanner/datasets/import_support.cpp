#include "datasets/import_support.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <fstream>
#include <iterator>
#include <system_error>

#include "io/hashing.hpp"

namespace trustscan::datasets::detail {

Result<SourceFile> source_file(const std::filesystem::path& source, const std::filesystem::path& relative) {
  const std::filesystem::path file = source / relative;
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(Errc::Io, file.string() + ": cannot open for reading");
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return fail(Errc::Io, file.string() + ": read error");
  return SourceFile{relative.generic_string(), io::sha256_hex(std::as_bytes(std::span(bytes))), bytes.size()};
}

Result<std::vector<std::filesystem::path>> files_with_extension(const std::filesystem::path& dir,
                                                                std::string_view extension) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec) && entry.path().filename().string().ends_with(extension))
      out.push_back(entry.path());
  }
  if (ec) return fail(Errc::Io, dir.string() + ": cannot list: " + ec.message());
  std::ranges::sort(out);
  return out;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::array<char, 32> buf{};
  return {buf.data(), std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm)};
}

std::vector<std::string> cve_ids(std::string_view text) {
  const auto digits = [&](std::size_t at) {
    std::size_t n = 0;
    while (at + n < text.size() && std::isdigit(static_cast<unsigned char>(text[at + n]))) ++n;
    return n;
  };
  std::vector<std::string> out;
  for (std::size_t at = text.find("CVE-"); at != std::string_view::npos; at = text.find("CVE-", at + 1)) {
    const std::size_t year = digits(at + 4);
    if (year != 4 || at + 9 >= text.size() || text[at + 8] != '-') continue;
    const std::size_t number = digits(at + 9);
    if (number < 4) continue;
    std::string id{text.substr(at, 9 + number)};
    if (std::ranges::find(out, id) == out.end()) out.push_back(std::move(id));
  }
  return out;
}

}  // namespace trustscan::datasets::detail
