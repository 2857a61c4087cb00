// ts_scan_*: one Engine scan per call, each record handed to the caller's callback as the
// report's JSON object and a few plain fields. fd and buffer scans without a path of their own are
// staged in a private directory (Stage: in memory, or on disk when large) named by their display name.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "app/scan_options.hpp"
#include "capi/handles.hpp"
#include "report/record_json.hpp"
#include "report/record_view.hpp"

namespace trustscan::capi {
namespace {

namespace fs = std::filesystem;

/// What the callbacks of one scan need; records under `root` are renamed to `display` + relative.
struct ScanCall {
  ts_record_fn on_record = nullptr;
  ts_error_fn on_error = nullptr;
  void* user = nullptr;
  std::string root;
  std::string display;  ///< empty: paths as found
  std::atomic<int> stop{0};
};

const char* or_null(const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; }

std::string shown_path(const ScanCall& call, const std::string& path) {
  if (call.display.empty() || !path.starts_with(call.root)) return path;
  return call.display + path.substr(call.root.size());
}

void deliver(ScanCall& call, const record::FileRecord& found) {
  if (call.on_record == nullptr || call.stop.load() != 0) return;
  record::FileRecord renamed;
  const record::FileRecord* r = &found;
  if (!call.display.empty()) {
    renamed = found;
    renamed.file.path = shown_path(call, found.file.path);
    r = &renamed;
  }
  const std::string json = report::record_json_text(*r);
  const report::RecordView view = report::record_view(*r);
  ts_record out{};
  out.struct_size = sizeof out;
  out.json = json.c_str();
  out.json_length = json.size();
  out.path = view.path.c_str();
  out.sha256 = or_null(view.sha256);
  // The worse of a finding and a known-bad finding; else a suppressed or out-of-scope verdict's own.
  std::optional<std::string> severity = view.severity();
  if (!severity && view.finding) severity = view.finding->severity;
  out.severity = or_null(severity);
  out.signature_status = view.signature ? or_null(view.signature->status) : nullptr;
  out.vendor = view.vendor ? view.vendor->name.c_str() : nullptr;
  out.country = or_null(view.country);
  out.privilege = view.privilege.c_str();
  out.finding = view.is_finding() || view.is_known_bad_finding() ? 1 : 0;
  if (call.on_record(&out, call.user) != 0) call.stop.store(1);
}

/// Raises one scan's own stop flag once its cancel token is cancelled. A token may be shared by
/// any number of scans, and each scan has its own flag (a callback's non-zero return stops only
/// its scan), which the walk, the workers and the files' deadlines all read: so a thread watches
/// the token (every 10 ms, and at once when the scan ends) for the whole scan, walk and set-up
/// included. ts_cancel stays a single atomic store: async-signal-safe.
class TokenWatch {
 public:
  TokenWatch(const ts_cancel_token* token, std::atomic<int>& stop) {
    if (token == nullptr) return;
    watcher_ = std::jthread([this, token, &stop](const std::stop_token& ended) {
      std::unique_lock lock(m_);
      while (!ended.stop_requested())
        if (wake_.wait_for(lock, ended, std::chrono::milliseconds(10),
                           [token] { return token->cancelled.load() != 0; })) {
          stop.store(1);
          return;
        }
    });
  }
  TokenWatch(const TokenWatch&) = delete;
  TokenWatch& operator=(const TokenWatch&) = delete;
  ~TokenWatch() = default;  // the jthread asks the watcher to end, which wakes it, and joins

 private:
  std::mutex m_;
  std::condition_variable_any wake_;
  std::jthread watcher_;  // last: ends before the mutex and condition it uses
};

ts_status run_scan(const ts_context& context, ScanCall& call, const ts_scan_options* options) {
  pipeline::ScanRequest request = options != nullptr ? options->walk : pipeline::ScanRequest{};
  request.roots = {call.root};
  request.keep_records = false;
  const ts_cancel_token* token = options != nullptr ? options->cancel : nullptr;
  if (token != nullptr && token->cancelled.load() != 0)
    return failed(TS_E_CANCELLED, "cancelled before the scan started");
  pipeline::Sink sink;
  sink.record = [&call](const record::FileRecord& r) { deliver(call, r); };
  sink.error = [&call](const discover::PathError& e) {
    if (call.on_error != nullptr) call.on_error(shown_path(call, e.path).c_str(), e.error.message.c_str(), call.user);
  };
  auto result = [&] {
    const TokenWatch watch(token, call.stop);  // watches the token for exactly the scan's lifetime
    return context.engine->scan(request, sink, &call.stop);
  }();
  if (!result) return failed(result.error());
  if (call.stop.load() != 0 || result->interrupted_by != 0) return failed(TS_E_CANCELLED, "the scan was cancelled");
  // What the walk did not scan, as the CLI's report lists it (what the caller excluded aside).
  if (call.on_error != nullptr)
    for (const discover::Skipped& s : result->skipped)
      if (s.reason != discover::SkipReason::Excluded)
        call.on_error(shown_path(call, s.path).c_str(),
                      ("not scanned (" + std::string(discover::to_string(s.reason)) + "): " + s.detail).c_str(),
                      call.user);
  return TS_OK;
}

/// A private directory holding one staged file, removed with everything in it when destroyed: in
/// memory (/dev/shm) for an input up to the stream threshold, on disk ($TMPDIR, else /var/tmp)
/// beyond it, so that a large input is not held twice in memory.
class Stage {
 public:
  ~Stage() {
    if (dir_.empty()) return;
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  /// Creates the directory and an empty file named after `display` (its extension matters to
  /// identification: .ko.xz, .sys); returns its open fd, or -1 with errno set.
  int create(const std::string& display, bool in_memory) {
    const char* tmp = std::getenv("TMPDIR");
    const std::string on_disk = tmp != nullptr && *tmp ? tmp : fs::is_directory("/var/tmp") ? "/var/tmp" : "/tmp";
    std::string base = in_memory && fs::is_directory("/dev/shm") ? "/dev/shm" : on_disk;
    std::string templ = base + "/libtrustscan.XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) return -1;
    dir_ = templ;
    std::string name = fs::path(display).filename().string();
    if (name.empty() || name == "." || name == "..") name = "buffer";
    file_ = dir_ + "/" + name;
    return ::open(file_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  }
  [[nodiscard]] const std::string& file() const noexcept { return file_; }

 private:
  std::string dir_, file_;
};

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

/// Copies `in` from offset 0 into the staged file `out`.
bool copy_fd(int in, int out) {
  std::vector<char> buf(1 << 20);
  off_t at = 0;
  for (;;) {
    ssize_t n = ::pread(in, buf.data(), buf.size(), at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    if (!write_all(out, buf.data(), static_cast<std::size_t>(n))) return false;
    at += n;
  }
}

/// The path `fd` was opened by, when that path still names the same file; else "".
std::string path_of_fd(int fd, const struct stat& st) {
  std::error_code ec;
  fs::path target = fs::read_symlink("/proc/self/fd/" + std::to_string(fd), ec);
  if (ec || !target.is_absolute()) return {};
  struct stat now {};
  if (::stat(target.c_str(), &now) != 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino) return {};
  return target.string();
}

/// Stages an input of `size` bytes that `fill` writes, and scans it. An input over the engine's
/// max-file-size is staged as a hole of its size (the walk skips it by its size alone, as it
/// would the file itself) instead of being copied.
ts_status scan_staged(const ts_context& context, ScanCall& call, const ts_scan_options* options, std::uint64_t size,
                      const std::function<bool(int)>& fill) {
  const Limits& limits = context.engine->settings().limits;
  const bool too_large = limits.max_file_size != 0 && size > limits.max_file_size;
  Stage stage;
  int out = stage.create(call.display, size <= limits.stream_threshold);
  if (out < 0) return failed(TS_E_IO, std::string("cannot stage the input: ") + std::strerror(errno));
  const bool filled = too_large ? ::ftruncate(out, static_cast<off_t>(size)) == 0 : fill(out);
  const int saved = errno;
  ::close(out);
  if (!filled) return failed(TS_E_IO, std::string("cannot stage the input: ") + std::strerror(saved));
  call.root = stage.file();
  return run_scan(context, call, options);
}

}  // namespace
}  // namespace trustscan::capi

extern "C" {

ts_status ts_scan_path(const ts_context* context, const char* path, const ts_scan_options* options,
                       ts_record_fn on_record, ts_error_fn on_error, void* user_data) {
  using namespace trustscan::capi;
  if (context == nullptr || path == nullptr || *path == '\0')
    return failed(TS_E_INVALID_ARGUMENT, "ts_scan_path: context and path must not be NULL or empty");
  return guarded([&] {
    struct stat st {};
    if (::stat(path, &st) != 0)
      return failed(TS_E_IO, std::string("cannot scan '") + path + "': " + std::strerror(errno));
    ScanCall call{on_record, on_error, user_data, path, {}};
    return run_scan(*context, call, options);
  });
}

ts_status ts_scan_fd(const ts_context* context, int fd, const char* display_name, const ts_scan_options* options,
                     ts_record_fn on_record, ts_error_fn on_error, void* user_data) {
  using namespace trustscan::capi;
  if (context == nullptr || fd < 0) return failed(TS_E_INVALID_ARGUMENT, "ts_scan_fd: context is NULL or fd < 0");
  return guarded([&] {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return failed(TS_E_IO, std::string("ts_scan_fd: ") + std::strerror(errno));
    ScanCall call{on_record, on_error, user_data, {}, display_name ? display_name : "fd:" + std::to_string(fd)};
    if (std::string path = path_of_fd(fd, st); !path.empty()) {
      call.root = path;
      return run_scan(*context, call, options);
    }
    if (!S_ISREG(st.st_mode)) return failed(TS_E_IO, "ts_scan_fd: neither a regular file nor a path");
    return scan_staged(*context, call, options, static_cast<std::uint64_t>(st.st_size),
                       [fd](int out) { return copy_fd(fd, out); });
  });
}

ts_status ts_scan_buffer(const ts_context* context, const void* data, size_t size, const char* display_name,
                         const ts_scan_options* options, ts_record_fn on_record, ts_error_fn on_error,
                         void* user_data) {
  using namespace trustscan::capi;
  if (context == nullptr || (data == nullptr && size != 0))
    return failed(TS_E_INVALID_ARGUMENT, "ts_scan_buffer: context or data is NULL");
  return guarded([&] {
    ScanCall call{on_record, on_error, user_data, {}, display_name ? display_name : "buffer"};
    return scan_staged(*context, call, options, size,
                       [data, size](int out) { return write_all(out, static_cast<const char*>(data), size); });
  });
}

ts_status ts_scan_options_new(ts_scan_options** out) { return trustscan::capi::new_handle(out, "ts_scan_options_new"); }

void ts_scan_options_free(ts_scan_options* options) { delete options; }

ts_status ts_scan_options_set(ts_scan_options* options, const char* key, const char* value) {
  using namespace trustscan::capi;
  if (options == nullptr || key == nullptr || value == nullptr)
    return failed(TS_E_INVALID_ARGUMENT, "ts_scan_options_set: options, key and value must not be NULL");
  return guarded([&] {
    static constexpr std::array<std::string_view, 3> kWalkKeys{"exclude", "one-file-system", "include-network-fs"};
    trustscan::app::ScanArgs parsed;
    const ts_status s = add_scan_option(options->args, kWalkKeys, key, value, "scan option", &parsed);
    if (s != TS_OK) return s;
    options->walk.excludes = std::move(parsed.opt.excludes);
    options->walk.one_file_system = parsed.opt.one_file_system;
    options->walk.include_network_fs = parsed.opt.include_network_fs;
    return TS_OK;
  });
}

ts_status ts_scan_options_set_cancel(ts_scan_options* options, ts_cancel_token* token) {
  using namespace trustscan::capi;
  if (options == nullptr) return failed(TS_E_INVALID_ARGUMENT, "ts_scan_options_set_cancel: options is NULL");
  options->cancel = token;
  return TS_OK;
}

ts_status ts_cancel_token_new(ts_cancel_token** out) { return trustscan::capi::new_handle(out, "ts_cancel_token_new"); }

void ts_cancel_token_free(ts_cancel_token* token) { delete token; }

void ts_cancel(ts_cancel_token* token) {
  if (token != nullptr) token->cancelled.store(1);
}

}  // extern "C"
