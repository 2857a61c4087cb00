#include "datasets/dataset_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "io/hashing.hpp"

namespace trustscan::datasets {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

/// Provenance files written by this version; a newer format is refused with a clear message.
constexpr int kProvenanceFormat = 1;

ordered_json to_json(const DatasetInfo& info) {
  ordered_json files = ordered_json::array();
  for (const SourceFile& f : info.files) files.push_back({{"path", f.path}, {"sha256", f.sha256}, {"size", f.size}});
  return {{"format", kProvenanceFormat}, {"name", info.name},         {"source", info.source},
          {"licence", info.licence},     {"imported_at", info.imported_at}, {"version", info.version},
          {"files", files},              {"counts", info.counts},     {"notes", info.notes}};
}

DatasetInfo from_json(const ordered_json& j) {
  if (j.at("format").get<int>() != kProvenanceFormat)
    throw std::runtime_error("format " + j.at("format").dump() + " is not " + std::to_string(kProvenanceFormat) +
                             " (written by another trustscan version: import the data set again)");
  DatasetInfo info;
  j.at("name").get_to(info.name);
  j.at("source").get_to(info.source);
  j.at("licence").get_to(info.licence);
  j.at("imported_at").get_to(info.imported_at);
  j.at("version").get_to(info.version);
  for (const auto& f : j.at("files"))
    info.files.push_back({f.at("path").get<std::string>(), f.at("sha256").get<std::string>(), f.at("size").get<std::uint64_t>()});
  j.at("counts").get_to(info.counts);
  j.at("notes").get_to(info.notes);
  return info;
}

}  // namespace

Result<std::string> read_file(const fs::path& path, std::string_view shown, std::uintmax_t max_size) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return fail(Errc::Io, std::string(shown) + ": cannot read: " + ec.message());
  if (size > max_size)
    return fail(Errc::TooLarge, std::string(shown) + ": larger than " + std::to_string(max_size) + " bytes");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::Io, std::string(shown) + ": cannot read");
  // At once, not byte by byte through a stream iterator: the imported root program's roots.pem
  // and roots.json (1.1 MB) are read at every start. A file that grew since its size was taken
  // is read to its end too.
  std::string data(static_cast<std::size_t>(size), '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<std::size_t>(in.gcount()));
  if (in) data.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return fail(Errc::Io, std::string(shown) + ": cannot read");
  if (data.size() > max_size)
    return fail(Errc::TooLarge, std::string(shown) + ": larger than " + std::to_string(max_size) + " bytes");
  return data;
}

Result<void> write_new_file(const fs::path& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return fail(Errc::Io, "cannot create " + path.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      return fail(Errc::Io, "cannot write " + path.string() + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  // The data set directory is renamed into place next: its files must be on disk first.
  const bool synced = ::fsync(fd) == 0;
  const int err = errno;
  if (::close(fd) != 0 || !synced) return fail(Errc::Io, "cannot write " + path.string() + ": " + std::strerror(err));
  return {};
}

SourceFile source_file(std::string relative_path, std::string_view bytes) {
  return {std::move(relative_path), io::sha256_hex(std::as_bytes(std::span(bytes))), bytes.size()};
}

std::string iso8601(std::int64_t unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return {};
  char buf[32];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

std::optional<std::int64_t> parse_iso8601(std::string_view text) {
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z')
    return std::nullopt;
  std::tm tm{};
  int consumed = 0;
  const std::string s(text);
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) != 6 || consumed != 20)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::int64_t t = timegm(&tm);
  if (iso8601(t) != text) return std::nullopt;  // out-of-range fields (month 13, ...)
  return t;
}

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<void> write_provenance(const fs::path& dir, const DatasetInfo& info) {
  return write_new_file(dir / kProvenanceFile, to_json(info).dump(2) + "\n");
}

Result<DatasetInfo> read_provenance(const fs::path& dir) {
  const fs::path file = dir / kProvenanceFile;
  auto text = read_file(file, file.string());
  if (!text) return std::unexpected(text.error());
  try {
    return from_json(ordered_json::parse(*text));
  } catch (const std::exception& e) {
    return fail(Errc::Malformed, file.string() + ": " + e.what());
  }
}

Result<std::vector<DatasetInfo>> load_provenance(const fs::path& data_dir) {
  std::vector<DatasetInfo> out;
  std::error_code ec;
  if (!fs::is_directory(data_dir, ec)) return out;
  std::vector<fs::path> dirs;
  for (fs::directory_iterator it(data_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    const std::string name = it->path().filename().string();
    if (!name.starts_with(".") && it->is_directory(type_ec) && fs::exists(it->path() / kProvenanceFile, type_ec))
      dirs.push_back(it->path());
  }
  if (ec) return fail(Errc::Io, "cannot list " + data_dir.string() + ": " + ec.message());
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& dir : dirs) {
    auto info = read_provenance(dir);
    if (!info) return std::unexpected(info.error());
    out.push_back(std::move(*info));
  }
  return out;
}

}  // namespace trustscan::datasets
