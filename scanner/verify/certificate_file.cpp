#include "verify/certificate_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstring>
#include <system_error>

#include <openssl/err.h>
#include <openssl/pem.h>

namespace trustscan::verify {

namespace fs = std::filesystem;

Error errno_error(const std::string& what) {
  const int e = errno;
  return Error{e == EACCES || e == EPERM ? Errc::PermissionDenied : Errc::Io, what + ": " + std::strerror(e)};
}

namespace {

bool has_extension(const fs::path& p, std::span<const std::string_view> extensions) {
  std::string ext = p.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::ranges::find(extensions, std::string_view(ext)) != extensions.end();
}

/// PEM blocks read with `read_pem`, or one DER object of `bytes` read with `read_der` that must
/// fill the buffer. Empty when there is none.
template <class Ptr, class ReadPem, class ReadDer>
std::vector<Ptr> parse_pem_or_der(std::span<const std::byte> bytes, ReadPem read_pem, ReadDer read_der) {
  std::vector<Ptr> out;
  if (bytes.empty() || bytes.size() > INT_MAX) return out;
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.find("-----BEGIN") != std::string_view::npos) {
    BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    while (bio) {
      Ptr object(read_pem(bio.get(), nullptr, nullptr, nullptr));
      if (!object) break;
      out.push_back(std::move(object));
    }
    ERR_clear_error();  // the last read always ends with "no start line"
    return out;
  }
  const auto* first = reinterpret_cast<const unsigned char*>(bytes.data());
  const unsigned char* p = first;
  Ptr object(read_der(nullptr, &p, static_cast<long>(bytes.size())));
  if (object && p == first + bytes.size()) out.push_back(std::move(object));
  ERR_clear_error();
  return out;
}

std::string named(const std::string& origin, const char* message) {
  return origin.empty() ? std::string(message) : origin + ": " + message;
}

}  // namespace

Result<std::vector<fs::path>> list_certificate_files(const fs::path& dir, std::span<const std::string_view> extensions,
                                                     std::string_view what) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return fail(Errc::Config, std::string(what) + " directory not found: " + dir.string());
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_directory(type_ec)) continue;  // not recursive
    if (extensions.empty() || has_extension(it->path(), extensions)) files.push_back(it->path());
  }
  if (ec) return fail(Errc::Config, "cannot list " + dir.string() + ": " + ec.message());
  std::ranges::sort(files);
  return files;
}

Result<std::vector<std::byte>> read_regular_file(int fd, std::uint64_t max_size, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return std::unexpected(errno_error(path));
  if (!S_ISREG(st.st_mode)) return fail(Errc::Unsupported, path + ": not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > max_size)
    return fail(Errc::TooLarge, path + ": larger than " + std::to_string(max_size >> 20) + " MiB");
  std::vector<std::byte> data(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::read(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(errno_error(path));
    if (n == 0) break;  // file shrank while reading
    done += static_cast<std::size_t>(n);
  }
  data.resize(done);
  return data;
}

Result<std::vector<std::byte>> read_regular_file(const fs::path& path, std::uint64_t max_size) {
  // O_NONBLOCK: a FIFO named like a certificate must not stall the start-up (fstat then refuses it).
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::unexpected(errno_error(path.string()));
  auto data = read_regular_file(fd, max_size, path.string());
  ::close(fd);
  return data;
}

Result<std::vector<X509Ptr>> parse_certificates(std::span<const std::byte> bytes, const std::string& origin) {
  auto certs = parse_pem_or_der<X509Ptr>(bytes, PEM_read_bio_X509, d2i_X509);
  if (certs.empty()) return fail(Errc::Malformed, named(origin, "not an X.509 certificate (PEM or DER)"));
  return certs;
}

Result<std::vector<X509CrlPtr>> parse_crls(std::span<const std::byte> bytes, const std::string& origin) {
  auto crls = parse_pem_or_der<X509CrlPtr>(bytes, PEM_read_bio_X509_CRL, d2i_X509_CRL);
  if (crls.empty()) return fail(Errc::Malformed, named(origin, "not an X.509 CRL (PEM or DER)"));
  return crls;
}

}  // namespace trustscan::verify
