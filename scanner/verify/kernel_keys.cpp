#include "verify/kernel_keys.hpp"

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>
#include <unordered_set>
#include <utility>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>

#include "core/bytes.hpp"
#include "core/fd.hpp"
#include "io/hashing.hpp"
#include "verify/certificate_file.hpp"
#include "verify/modsig_decompress.hpp"
#include "verify/modsig_x509.hpp"
#include "verify/openssl_ptr.hpp"

namespace trustscan::verify {
namespace {

using modsig::KernelCompression;

/// Opens `name` relative to `dirfd` without following a final symlink.
Fd open_under(int dirfd, const char* name, bool directory) {
  const int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (directory ? O_DIRECTORY : O_NONBLOCK);
  return Fd(::openat(dirfd, name, flags));
}

/// Sorted names in an open directory (fd is duplicated; the caller keeps its own).
std::vector<std::string> list_dir(int dirfd) {
  std::vector<std::string> names;
  const int dup = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return names;
  DIR* d = ::fdopendir(dup);
  if (d == nullptr) {
    ::close(dup);
    return names;
  }
  while (const dirent* e = ::readdir(d)) {
    const std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  ::closedir(d);
  std::ranges::sort(names);
  return names;
}

bool starts_with(std::span<const std::byte> b, std::size_t off, std::string_view s) noexcept {
  return b.size() >= off + s.size() && std::memcmp(b.data() + off, s.data(), s.size()) == 0;
}

constexpr std::size_t kMinCert = 200;  // smaller than any real certificate with a public key

/// What searching one kernel payload found.
struct PayloadScan {
  std::string compression;  ///< as KernelImageScan::compression
  std::uint64_t size = 0;   ///< bytes searched (the decompressed kernel, up to its certificate list)
  std::vector<X509Ptr> certificates;
  bool certificate_list = false;  ///< the kernel's list was recognised (CertificateFinder)
};

/// Every DER certificate in a byte stream that parses completely, found chunk by chunk so that a
/// decompressed kernel never has to be held in memory whole. The kernel's system certificate list
/// (certs/system_certificates.S) is a plain concatenation of DER certificates, so candidates are
/// `30 82 LL LL` (certificate) directly followed by `30 81|82` (tbsCertificate). A candidate is
/// decided only once all of its bytes (at most 64 KiB) are there, so the result is the same as a
/// search of the whole stream at once, however it is cut into chunks.
///
/// The list itself is recognised by what the kernel puts right after it (Linux 5.13 and later):
/// padding to 8 bytes, then `system_certificate_list_size` (the list's length) and
/// `module_cert_size` (the length of its first certificate, the build's module signing key), 8
/// bytes each on 64-bit kernels and 4 on 32-bit ones, in the kernel's byte order. The kernel puts
/// only that list into the keyring it checks modules against (certs/system_keyring.c); other
/// certificates of the image — a revocation list, a self-test's — are not trusted keys. So once
/// the list is recognised its certificates are the image's keys and the search stops: nothing
/// after it could add one, and the rest of the kernel need not be decompressed (in Debian's
/// kernel the list ends at 61 % of the 63 MiB, though 98 % into the xz payload). Without that
/// trailer (older kernels, an extra certificate slot, no signing key built in) every
/// certificate of the image is kept.
class CertificateFinder {
 public:
  explicit CertificateFinder(std::size_t max_certs) : max_(max_certs) {}

  /// Searches the next bytes of the stream. False once the kernel's list has been recognised:
  /// no more bytes are wanted.
  bool feed(std::span<const std::byte> chunk) {
    if (list_found_ || out_.size() >= max_) return !list_found_;
    const auto* first = reinterpret_cast<const unsigned char*>(chunk.data());
    buf_.insert(buf_.end(), first, first + chunk.size());
    scan(false);
    return !list_found_;
  }

  /// What the search of `size` bytes of a `compression` payload found: the list's certificates
  /// when it was recognised, else every certificate.
  PayloadScan finish(std::string compression, std::uint64_t size) && {
    if (!list_found_ && out_.size() < max_) scan(true);
    buf_.clear();
    if (list_found_) out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(run_first_));
    return PayloadScan{std::move(compression), size, std::move(out_), list_found_};
  }

 private:
  /// Bytes after a run of certificates that decide whether it is the list: padding, two sizes.
  static constexpr std::size_t kTrailer = 7 + 2 * 8;

  /// Examines candidates in buf_; keeps the bytes from the first undecided one.
  void scan(bool final) {
    const unsigned char* p = buf_.data();
    const std::size_t n = buf_.size();
    std::size_t i = 0;
    while (out_.size() < max_) {
      if (after_run_) {  // i is where the last certificate ended
        if (n - i < kTrailer && !final) break;
        after_run_ = false;
        if (ends_list(std::as_bytes(std::span(p + i, n - i)))) {
          list_found_ = true;
          break;
        }
      }
      if (n < 8 || i > n - 8) break;
      const void* hit = std::memchr(p + i, 0x30, n - 8 - i + 1);
      if (hit == nullptr) {
        i = n - 7;  // the last 7 bytes cannot be examined yet
        break;
      }
      i = static_cast<std::size_t>(static_cast<const unsigned char*>(hit) - p);
      if (p[i + 1] == 0x82 && p[i + 4] == 0x30 && (p[i + 5] == 0x82 || p[i + 5] == 0x81)) {
        const std::size_t len = std::size_t{read_be<std::uint16_t>(std::span(buf_), i + 2).value_or(0)} + 4;
        if (len >= kMinCert && len > n - i && !final) break;  // wait for the rest of it
        if (len >= kMinCert && len <= n - i) {
          const unsigned char* q = p + i;
          X509Ptr cert(d2i_X509(nullptr, &q, static_cast<long>(len)));
          if (cert && q == p + i + len) {
            note_certificate(base_ + i, len);
            out_.push_back(std::move(cert));
            i += len;
            continue;
          }
          ERR_clear_error();
        }
      }
      ++i;
    }
    const std::size_t done = std::min(i, n);
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(done));
    base_ += done;
  }

  /// A certificate at stream offset `at`: it continues the current run or starts a new one.
  void note_certificate(std::uint64_t at, std::size_t len) noexcept {
    if (out_.empty() || at != run_end_) {
      run_first_ = out_.size();
      run_start_ = at;
      first_len_ = len;
    }
    run_end_ = at + len;
    after_run_ = true;
  }

  /// Whether `b`, the bytes right after the current run, are the list's trailer.
  [[nodiscard]] bool ends_list(std::span<const std::byte> b) const noexcept {
    const auto pad = static_cast<std::size_t>((8 - run_end_ % 8) % 8);
    if (b.size() < pad) return false;
    for (std::size_t k = 0; k < pad; ++k)
      if (b[k] != std::byte{0}) return false;
    const std::uint64_t list = run_end_ - run_start_;
    const std::uint64_t key = first_len_;
    return (read_le<std::uint64_t>(b, pad) == list && read_le<std::uint64_t>(b, pad + 8) == key) ||
           (read_be<std::uint64_t>(b, pad) == list && read_be<std::uint64_t>(b, pad + 8) == key) ||
           (read_le<std::uint32_t>(b, pad) == list && read_le<std::uint32_t>(b, pad + 4) == key) ||
           (read_be<std::uint32_t>(b, pad) == list && read_be<std::uint32_t>(b, pad + 4) == key);
  }

  std::size_t max_;
  std::vector<unsigned char> buf_;  // bytes not yet decided on
  std::uint64_t base_ = 0;          // stream offset of buf_[0]
  std::vector<X509Ptr> out_;
  // The current run of certificates that follow each other without a gap.
  std::size_t run_first_ = 0;    // its first certificate in out_
  std::uint64_t run_start_ = 0;  // stream offsets
  std::uint64_t run_end_ = 0;
  std::size_t first_len_ = 0;  // its first certificate's length
  bool after_run_ = false;     // the bytes after the run are still to be checked
  bool list_found_ = false;
};

/// Decompresses the stream at the start of `in` and searches it as it comes out.
Result<PayloadScan> scan_stream(std::span<const std::byte> in, std::uint64_t cap, std::size_t max_certs) {
  const auto fmt = modsig::sniff_compression(in);
  if (!fmt) return fail(Errc::Unsupported, "no known compression magic");
  CertificateFinder finder(max_certs);
  const modsig::ChunkSink sink = [&finder](std::span<const std::byte> chunk) { return finder.feed(chunk); };
  auto size = modsig::decompress_first_stream(*fmt, in, cap, sink);
  if (!size) return std::unexpected(std::move(size.error()));
  return std::move(finder).finish(std::string(to_string(*fmt)), *size);
}

/// Finds the kernel inside an image, expands it and searches it for certificates (see
/// add_from_kernel_image for the layouts). A failed attempt contributes nothing: each attempt
/// searches with a fresh finder.
Result<PayloadScan> scan_kernel_payload(std::span<const std::byte> image, std::uint64_t cap, std::size_t max_certs) {
  if (starts_with(image, 0, "\x7f" "ELF")) {
    CertificateFinder finder(max_certs);
    constexpr std::size_t kSlice = 1u << 20;  // bounds the finder's copy
    std::size_t at = 0;
    while (at < image.size() && finder.feed(image.subspan(at, std::min(kSlice, image.size() - at)))) at += kSlice;
    return std::move(finder).finish("none", std::min(at + kSlice, image.size()));
  }

  // x86 bzImage (boot protocol >= 2.08, Documentation/arch/x86/boot.rst): the setup header says
  // where the compressed vmlinux starts (payload_offset, relative to the protected-mode code).
  std::optional<Error> header_error;
  if (image.size() >= 0x250 && starts_with(image, 0x202, "HdrS")) {
    // Inside the image: its size was checked above.
    const unsigned version = read_le<std::uint16_t>(image, 0x206).value_or(0);
    unsigned setup_sects = read_le<std::uint8_t>(image, 0x1f1).value_or(0);
    if (setup_sects == 0) setup_sects = 4;
    const std::uint64_t start = (std::uint64_t{setup_sects} + 1) * 512 +
                                read_le<std::uint32_t>(image, 0x248).value_or(0);
    const std::uint64_t length = read_le<std::uint32_t>(image, 0x24c).value_or(0);
    if (version >= 0x208 && length > 0 && start < image.size() && length <= image.size() - start) {
      auto p = scan_stream(image.subspan(start, length), cap, max_certs);
      if (p || p.error().code == Errc::TooLarge) return p;
      header_error = std::move(p.error());
    }
  }
  // arm64/riscv EFI zboot: "MZ" .. "zimg" at 4, payload offset/size at 8/12.
  if (image.size() >= 16 && starts_with(image, 0, "MZ") && starts_with(image, 4, "zimg")) {
    const std::uint64_t start = read_le<std::uint32_t>(image, 8).value_or(0);
    const std::uint64_t length = read_le<std::uint32_t>(image, 12).value_or(0);
    if (length > 0 && start < image.size() && length <= image.size() - start) {
      auto p = scan_stream(image.subspan(start, length), cap, max_certs);
      if (p || p.error().code == Errc::TooLarge) return p;
      header_error = std::move(p.error());
    }
  }
  // A compressed Image as a whole (arm64 Debian's vmlinuz is Image.gz).
  if (modsig::sniff_compression(image)) {
    auto p = scan_stream(image, cap, max_certs);
    if (p || p.error().code == Errc::TooLarge) return p;
    header_error = std::move(p.error());
  }
  // Last resort: the first magic that decompresses to something kernel-sized. lzma-alone is not
  // searched (its 3-byte magic is too common); the attempt count bounds crafted inputs.
  constexpr int kMaxAttempts = 32;
  constexpr std::size_t kMinKernel = 1u << 20;
  int attempts = 0;
  for (std::size_t i = 1; i + 6 <= image.size() && attempts < kMaxAttempts; ++i) {
    const auto fmt = modsig::sniff_compression(image.subspan(i, 6));
    if (!fmt || *fmt == KernelCompression::Lzma) continue;
    ++attempts;
    auto p = scan_stream(image.subspan(i), cap, max_certs);
    if (p && (p->size >= kMinKernel || p->certificate_list)) return p;
    ERR_clear_error();
  }
  if (header_error) return std::unexpected(std::move(*header_error));
  return fail(Errc::Unsupported, "no compressed kernel payload found");
}

std::vector<std::byte> der_of(X509* cert) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  if (len <= 0 || der == nullptr) return {};
  std::vector<std::byte> out(reinterpret_cast<const std::byte*>(der), reinterpret_cast<const std::byte*>(der) + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace

void KernelKeyLoadReport::merge(KernelKeyLoadReport&& other) {
  keys_added += other.keys_added;
  duplicates += other.duplicates;
  std::ranges::move(other.files, std::back_inserter(files));
  std::ranges::move(other.images, std::back_inserter(images));
  std::ranges::move(other.errors, std::back_inserter(errors));
}

struct KernelKeyring::Impl {
  KernelKeyLimits limits;
  std::vector<KernelKey> keys;
  std::vector<X509Ptr> certs;                    // parallel to keys
  std::unordered_set<std::string> fingerprints;  // of certs, to skip duplicates
  std::unordered_set<std::string> image_hashes;  // of kernel images already searched

  /// Adds one certificate; false if it was already present.
  bool add(X509Ptr cert, KernelKeySource source, const std::string& origin, std::size_t image_position = 0) {
    std::string fp = modsig::sha256_fingerprint(cert.get());
    if (fp.empty() || !fingerprints.insert(fp).second) return false;
    // Fill OpenSSL's lazily computed extension cache now, while we are single-threaded.
    X509_check_purpose(cert.get(), -1, 0);
    KernelKey key;
    key.subject = modsig::name_to_string(X509_get_subject_name(cert.get()));
    key.issuer = modsig::name_to_string(X509_get_issuer_name(cert.get()));
    key.serial_hex = modsig::integer_hex(X509_get0_serialNumber(cert.get()));
    key.subject_key_id_hex = modsig::subject_key_id_hex(cert.get());
    key.sha256_fingerprint = std::move(fp);
    key.source = source;
    key.origin = origin;
    key.image_position = image_position;
    keys.push_back(std::move(key));
    certs.push_back(std::move(cert));
    return true;
  }
};

KernelKeyring::KernelKeyring() : KernelKeyring(KernelKeyLimits{}) {}
KernelKeyring::KernelKeyring(KernelKeyLimits limits) : impl_(std::make_unique<Impl>()) { impl_->limits = limits; }
KernelKeyring::~KernelKeyring() = default;
KernelKeyring::KernelKeyring(KernelKeyring&&) noexcept = default;
KernelKeyring& KernelKeyring::operator=(KernelKeyring&&) noexcept = default;

KernelKeyring KernelKeyring::copy() const {
  KernelKeyring out(impl_ ? impl_->limits : KernelKeyLimits{});
  if (!impl_) return out;
  out.impl_->keys = impl_->keys;
  out.impl_->fingerprints = impl_->fingerprints;
  out.impl_->image_hashes = impl_->image_hashes;
  out.impl_->certs.reserve(impl_->certs.size());
  for (const X509Ptr& cert : impl_->certs) {
    X509_up_ref(cert.get());
    out.impl_->certs.emplace_back(cert.get());
  }
  return out;
}

std::span<const KernelKey> KernelKeyring::keys() const noexcept {
  return impl_ ? std::span<const KernelKey>(impl_->keys) : std::span<const KernelKey>{};
}
std::size_t KernelKeyring::size() const noexcept { return impl_ ? impl_->keys.size() : 0; }

x509_st* KernelKeyring::certificate(std::size_t index) const noexcept {
  return impl_ && index < impl_->certs.size() ? impl_->certs[index].get() : nullptr;
}

Result<std::size_t> KernelKeyring::add_certificate(std::span<const std::byte> pem_or_der, KernelKeySource source,
                                                   const std::string& origin) {
  auto certs = parse_certificates(pem_or_der, origin);
  if (!certs) return std::unexpected(certs.error());
  std::size_t added = 0;
  for (auto& c : *certs) added += impl_->add(std::move(c), source, origin) ? 1 : 0;
  return added;
}

KernelKeyLoadReport KernelKeyring::add_from_directory(const std::filesystem::path& dir) {
  KernelKeyLoadReport report;
  // The operator named this directory: following its symlinks is their choice, unlike a scanned
  // root. Every file is a candidate: key files have no fixed extension (signing_key.x509).
  auto files = list_certificate_files(dir, {}, "module key");
  if (!files) {
    report.errors.push_back({dir.string(), std::move(files.error())});
    return report;
  }
  for (const auto& file : *files) {
    const std::string path = file.string();
    report.files.push_back(path);
    auto bytes = read_regular_file(file, impl_->limits.max_file_size);
    if (!bytes) {
      report.errors.push_back({path, std::move(bytes.error())});
      continue;
    }
    auto certs = parse_certificates(*bytes, path);
    if (!certs) {
      report.errors.push_back({path, std::move(certs.error())});
      continue;
    }
    const auto before = impl_->keys.size();
    for (auto& c : *certs) impl_->add(std::move(c), KernelKeySource::ModuleKeysDir, path);
    report.keys_added += impl_->keys.size() - before;
    report.duplicates += certs->size() - (impl_->keys.size() - before);
  }
  return report;
}

KernelKeyLoadReport KernelKeyring::add_from_kernel_image(std::span<const std::byte> image, const std::string& origin,
                                                         KernelImageFindings* findings) {
  KernelKeyLoadReport report;
  const auto t0 = std::chrono::steady_clock::now();
  report.files.push_back(origin);
  KernelImageScan scan;
  scan.path = origin;
  auto payload = scan_kernel_payload(image, impl_->limits.max_decompressed_size,
                                     impl_->limits.max_certificates_per_image);
  if (!payload) {
    payload.error().message = origin + ": " + payload.error().message;
    report.errors.push_back({origin, std::move(payload.error())});
    return report;
  }
  scan.compression = payload->compression;
  scan.decompressed_size = payload->size;
  scan.certificate_list = payload->certificate_list;
  std::vector<X509Ptr>& certs = payload->certificates;
  scan.certificates = certs.size();
  if (findings) {
    findings->compression = scan.compression;
    findings->decompressed_size = scan.decompressed_size;
    for (const X509Ptr& c : certs) findings->certificates.push_back(der_of(c.get()));
  }
  for (std::size_t i = 0; i < certs.size(); ++i) {
    if (impl_->add(std::move(certs[i]), KernelKeySource::KernelImage, origin, i))
      ++report.keys_added;
    else
      ++report.duplicates;
  }
  scan.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (certs.empty())
    report.errors.push_back({origin, Error{Errc::Unsupported, origin + ": no X.509 certificate in the kernel image"}});
  report.images.push_back(std::move(scan));
  return report;
}

KernelKeyLoadReport KernelKeyring::add_from_kernel_file(const std::filesystem::path& file) {
  KernelKeyLoadReport report;
  const std::string path = file.string();
  report.files.push_back(path);
  auto bytes = read_regular_file(file, impl_->limits.max_file_size);
  if (!bytes) {
    report.errors.push_back({path, std::move(bytes.error())});
    return report;
  }
  report.merge(add_from_kernel_image(*bytes, path));
  return report;
}

bool KernelKeyring::add_remembered(const KernelImageFindings& found, const std::string& origin,
                                   KernelKeyLoadReport& report) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<X509Ptr> certs;
  for (const std::vector<std::byte>& der : found.certificates) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert) return false;  // not what we stored: search the image itself
    certs.push_back(std::move(cert));
  }
  if (certs.empty()) return false;
  report.files.push_back(origin);
  if (!impl_->image_hashes.insert(found.sha256).second) return true;  // the same kernel, seen already
  KernelImageScan scan{origin, found.compression, found.decompressed_size, certs.size(), 0};
  for (std::size_t i = 0; i < certs.size(); ++i)
    ++(impl_->add(std::move(certs[i]), KernelKeySource::KernelImage, origin, i) ? report.keys_added
                                                                                : report.duplicates);
  scan.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  report.images.push_back(std::move(scan));
  return true;
}

KernelKeyLoadReport KernelKeyring::add_from_root(const std::filesystem::path& root, KernelImageMemo* memo) {
  KernelKeyLoadReport report;
  Fd rootfd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!rootfd) {
    report.errors.push_back({root.string(), errno_error(root.string())});
    return report;
  }

  // Candidate images as (directory fd, name, display path); directories opened with O_NOFOLLOW.
  struct Candidate {
    std::shared_ptr<Fd> dir;
    std::string name;
    std::string path;
  };
  std::vector<Candidate> candidates;
  if (auto boot = std::make_shared<Fd>(open_under(rootfd.get(), "boot", true)); *boot) {
    for (const std::string& name : list_dir(boot->get())) {
      const bool kernel = name == "vmlinuz" || name == "vmlinux" || name.starts_with("vmlinuz-") ||
                          name.starts_with("vmlinux-");
      if (kernel) candidates.push_back({boot, name, (root / "boot" / name).string()});
    }
  }
  for (const char* base : {"lib", "usr"}) {
    Fd first = open_under(rootfd.get(), base, true);
    if (!first) continue;
    Fd lib = std::string_view(base) == "usr" ? open_under(first.get(), "lib", true) : std::move(first);
    if (!lib) continue;
    Fd modules = open_under(lib.get(), "modules", true);
    if (!modules) continue;
    const std::filesystem::path shown = root / (std::string_view(base) == "usr" ? "usr/lib" : "lib") / "modules";
    for (const std::string& version : list_dir(modules.get())) {
      auto vdir = std::make_shared<Fd>(open_under(modules.get(), version.c_str(), true));
      if (*vdir) candidates.push_back({vdir, "vmlinuz", (shown / version / "vmlinuz").string()});
    }
  }

  for (const Candidate& c : candidates) {
    // Known to the memo by what stat says (a symlink is not: it falls to the open below): not opened.
    struct stat st {};
    if (memo && ::fstatat(c.dir->get(), c.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
      if (auto found = memo->find(c.path, st); found && add_remembered(*found, c.path, report)) continue;
    Fd fd = open_under(c.dir->get(), c.name.c_str(), false);
    if (!fd) {
      // ENOENT: lib/modules/VER without a vmlinuz (the usual case). ELOOP: a symlink, never followed.
      if (errno != ENOENT && errno != ELOOP) report.errors.push_back({c.path, errno_error(c.path)});
      continue;
    }
    const bool remember = memo && ::fstat(fd.get(), &st) == 0;  // the file as read
    auto bytes = read_regular_file(fd.get(), impl_->limits.max_file_size, c.path);
    if (!bytes) {
      report.files.push_back(c.path);
      report.errors.push_back({c.path, std::move(bytes.error())});
      continue;
    }
    // The same kernel is often installed twice (boot/ and lib/modules/VER/): search it once.
    KernelImageFindings findings;
    findings.sha256 = io::sha256_hex(*bytes);
    if (!impl_->image_hashes.insert(findings.sha256).second) {
      report.files.push_back(c.path);
      continue;
    }
    report.merge(add_from_kernel_image(*bytes, c.path, remember ? &findings : nullptr));
    // Not when it changed in the last 2 s: a second write within the timestamp granularity
    // would leave the same stat (docs/cache.md, "racy" files).
    if (remember && !findings.certificates.empty() && st.st_ctim.tv_sec < ::time(nullptr) - 2)
      memo->store(c.path, st, findings);
  }
  return report;
}

}  // namespace trustscan::verify
