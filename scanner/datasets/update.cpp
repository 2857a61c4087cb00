#include "datasets/update.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "core/shared_library.hpp"

namespace trustscan::datasets {

namespace fs = std::filesystem;

namespace {

constexpr long kMaxRedirects = 5;
constexpr long kConnectTimeoutSeconds = 30;

// clang-format off
/// libcurl's functions this file calls: loaded by the first download (core/shared_library.hpp).
#define TRUSTSCAN_CURL_FUNCTIONS(X) \
  X(curl_global_init)               \
  X(curl_easy_init)                 \
  X(curl_easy_setopt)               \
  X(curl_easy_perform)              \
  X(curl_easy_cleanup)              \
  X(curl_easy_strerror)             \
  X(curl_version)
// clang-format on

struct CurlFunctions {
  TRUSTSCAN_CURL_FUNCTIONS(TRUSTSCAN_FUNCTION_MEMBER)
};

// TRUSTSCAN_CURL_SONAME: the library the build found (scanner/CMakeLists.txt).
TRUSTSCAN_DEFINE_FUNCTION_LOADER(load_curl, CurlFunctions, TRUSTSCAN_CURL_FUNCTIONS, TRUSTSCAN_CURL_SONAME)

/// The functions, loaded and curl_global_init run once (it is not thread-safe), before the first
/// transfer; or why not.
const Result<CurlFunctions>& curl_functions() {
  static const Result<CurlFunctions> ready = []() -> Result<CurlFunctions> {
    const Result<CurlFunctions>& loaded = load_curl();
    if (loaded && loaded->curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      return fail(Errc::Io, "cannot initialise libcurl");
    return loaded;
  }();
  return ready;
}

/// The functions, once curl_functions() succeeded.
const CurlFunctions& curl() { return curl_functions().value(); }

struct Sink {
  int fd = -1;
  std::uintmax_t written = 0;
  std::uintmax_t max_size = 0;
  bool too_large = false;
  int write_errno = 0;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t n = size * count;
  if (sink->written + n > sink->max_size) {
    sink->too_large = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  for (std::size_t done = 0; done < n;) {
    const ssize_t w = ::write(sink->fd, data + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      sink->write_errno = errno;
      return 0;
    }
    done += static_cast<std::size_t>(w);
  }
  sink->written += n;
  return n;
}

struct CurlCleanup {
  void operator()(CURL* c) const noexcept { curl().curl_easy_cleanup(c); }
};
using CurlPtr = std::unique_ptr<CURL, CurlCleanup>;

void set_options(CURL* handle, const std::string& url, long timeout_seconds, Sink& sink, char* error_buffer) {
  const auto set = curl().curl_easy_setopt;
  set(handle, CURLOPT_URL, url.c_str());
  set(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  set(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set(handle, CURLOPT_FOLLOWLOCATION, 1L);
  set(handle, CURLOPT_MAXREDIRS, kMaxRedirects);
  set(handle, CURLOPT_FAILONERROR, 1L);
  set(handle, CURLOPT_NOSIGNAL, 1L);
  set(handle, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
  set(handle, CURLOPT_TIMEOUT, timeout_seconds);
  set(handle, CURLOPT_USERAGENT, "trustscan/" TRUSTSCAN_VERSION);
  set(handle, CURLOPT_ERRORBUFFER, error_buffer);
  set(handle, CURLOPT_WRITEFUNCTION, write_body);
  set(handle, CURLOPT_WRITEDATA, &sink);
}

std::string join_urls(const std::vector<std::pair<std::string, std::string>>& urls) {
  std::string out;
  for (const auto& [path, url] : urls) out += (out.empty() ? "" : ", ") + url;
  return out;
}

/// Fetches the files of one importer into `source` (a fresh directory) and imports them.
ImportOutcome update_one(const ImporterEntry& entry, const UpdateOptions& options, const fs::path& source,
                         const fs::path& data_dir) {
  const auto urls = source_urls(entry, options);
  for (const auto& [path, url] : urls) {
    std::error_code ec;
    fs::create_directories((source / path).parent_path(), ec);
    auto fetched = download(url, source / path, options.timeout_seconds);
    if (!fetched) return {std::string(entry.name), ImportState::Failed, std::nullopt, fetched.error().message};
  }
  auto outcomes = import_datasets(source, data_dir, join_urls(urls), std::span(&entry, 1));
  if (!outcomes) return {std::string(entry.name), ImportState::Failed, std::nullopt, outcomes.error().message};
  return std::move(outcomes->front());
}

}  // namespace

Result<void> download(const std::string& url, const fs::path& dest, long timeout_seconds, std::uintmax_t max_size) {
  if (const auto& loaded = curl_functions(); !loaded) return fail(Errc::Io, url + ": " + loaded.error().message);
  CurlPtr transfer(curl().curl_easy_init());
  if (!transfer) return fail(Errc::Io, url + ": cannot initialise libcurl");
  Sink sink{::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), 0, max_size, false, 0};
  if (sink.fd < 0) return fail(Errc::Io, "cannot create " + dest.string() + ": " + std::strerror(errno));
  char error_buffer[CURL_ERROR_SIZE] = {};
  set_options(transfer.get(), url, timeout_seconds, sink, error_buffer);
  const CURLcode code = curl().curl_easy_perform(transfer.get());
  const bool closed = ::close(sink.fd) == 0;
  if (code == CURLE_OK && closed) return {};
  std::error_code ec;
  fs::remove(dest, ec);
  std::string why = error_buffer[0] != '\0' ? error_buffer : curl().curl_easy_strerror(code);
  if (sink.too_large) why = "larger than " + std::to_string(max_size) + " bytes";
  if (sink.write_errno != 0 || !closed)
    why = "cannot write " + dest.string() + ": " + std::strerror(sink.write_errno ? sink.write_errno : errno);
  return fail(Errc::Io, "cannot fetch " + url + ": " + why);
}

std::vector<std::pair<std::string, std::string>> source_urls(const ImporterEntry& entry, const UpdateOptions& options) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const SourceSpec& s : entry.sources) {
    const std::string path(s.path);
    if (auto it = options.urls.find(path); it != options.urls.end())
      out.emplace_back(path, it->second);
    else if (!options.mirror.empty())
      out.emplace_back(path, options.mirror + (options.mirror.ends_with("/") ? "" : "/") + path);
    else
      out.emplace_back(path, std::string(s.url));
  }
  return out;
}

Result<std::vector<ImportOutcome>> update_datasets(const fs::path& data_dir, const UpdateOptions& options,
                                                   std::span<const ImporterEntry> which) {
  for (const auto& [name, url] : options.urls) {
    const bool known = std::any_of(which.begin(), which.end(), [&](const ImporterEntry& e) {
      return std::any_of(e.sources.begin(), e.sources.end(), [&](const SourceSpec& s) { return s.path == name; });
    });
    if (!known) return fail(Errc::Config, "--url " + name + "=...: no data set reads a file named " + name);
  }
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec || !fs::is_directory(data_dir, ec))
    return fail(Errc::Io, "cannot create the data directory " + data_dir.string() + (ec ? ": " + ec.message() : ""));
  std::vector<ImportOutcome> outcomes;
  for (const ImporterEntry& entry : which) {
    if (entry.sources.empty()) {  // a data set whose source cannot be fetched file by file
      outcomes.push_back({std::string(entry.name), ImportState::Absent, std::nullopt,
                          "not fetched by `trustscan data update` (its sources are not single files); import a "
                          "local copy with `trustscan data import`"});
      continue;
    }
    std::string tmpl = (data_dir / ".download-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr)
      return fail(Errc::Io, "cannot create a download directory in " + data_dir.string() + ": " + std::strerror(errno));
    outcomes.push_back(update_one(entry, options, tmpl, data_dir));
    fs::remove_all(tmpl, ec);
  }
  return outcomes;
}

std::string curl_version_text() {
  const auto& loaded = load_curl();  // (curl_version needs no curl_global_init)
  if (!loaded) return loaded.error().message;
  const std::string full = loaded->curl_version();  // "libcurl/7.88.1 OpenSSL/3.0.19 zlib/...": the first word
  return full.substr(0, full.find(' '));
}

}  // namespace trustscan::datasets
