#include "image/ewf_hashes.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/byte_source.hpp"
#include "image/libraries.hpp"
#include "io/hashing.hpp"

namespace trustscan::image {
namespace {

/// libewf's message for `error` (and frees it).
std::string take_message(libewf_error_t* error) {
  if (!error) return "unknown libewf error";
  std::array<char, 512> buf{};
  std::string out = ewf().libewf_error_sprint(error, buf.data(), buf.size()) > 0 ? std::string(buf.data())
                                                                                 : "libewf error";
  ewf().libewf_error_free(&error);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

struct HandleCloser {
  void operator()(libewf_handle_t* h) const noexcept {
    ewf().libewf_handle_close(h, nullptr);
    ewf().libewf_handle_free(&h, nullptr);
  }
};
using HandlePtr = std::unique_ptr<libewf_handle_t, HandleCloser>;

/// One stored digest (get = libewf_handle_get_md5_hash or _sha1_hash): hex, "" when not stored.
template <std::size_t N, typename Get>
Result<std::string> stored_digest(libewf_handle_t* handle, Get get, const char* name) {
  std::array<std::uint8_t, N> digest{};
  libewf_error_t* error = nullptr;
  const int r = get(handle, digest.data(), digest.size(), &error);
  if (r < 0) return fail(Errc::Io, std::string("reading the stored ") + name + ": " + take_message(error));
  if (r == 0) return std::string();
  return io::to_hex(std::as_bytes(std::span(digest)));
}

/// An image's media as a ByteSource read through libtsk (one thread at a time).
class MediaSource final : public ByteSource {
 public:
  explicit MediaSource(TSK_IMG_INFO* img) noexcept : img_(img) {}
  [[nodiscard]] std::uint64_t size() const noexcept override { return static_cast<std::uint64_t>(img_->size); }
  [[nodiscard]] Result<std::span<const std::byte>> read(std::uint64_t offset, std::size_t length,
                                                        std::vector<std::byte>& scratch) const override {
    if (offset > size() || length > size() - offset) return fail(Errc::Malformed, "range lies outside the media");
    scratch.resize(length);
    for (std::size_t got = 0; got < length;) {
      const ssize_t n = tsk().tsk_img_read(img_, static_cast<TSK_OFF_T>(offset + got),
                                           reinterpret_cast<char*>(scratch.data() + got), length - got);
      if (n <= 0) {
        const char* m = tsk().tsk_error_get();
        std::string message = "read at offset " + std::to_string(offset + got) + ": " + (m && *m ? m : "no data");
        tsk().tsk_error_reset();
        return fail(Errc::Io, std::move(message));
      }
      got += static_cast<std::size_t>(n);
    }
    return std::span<const std::byte>(scratch);
  }

 private:
  TSK_IMG_INFO* img_;
};

/// "MD5 a1b2... (stored: c3d4...)" for each digest the two disagree on.
std::string differences(const MediaHashes& stored, const MediaHashes& media) {
  std::string out;
  auto one = [&](const char* name, const std::string& s, const std::string& m) {
    if (s.empty() || s == m) return;
    out += std::string(out.empty() ? "" : ", ") + name + " " + m + " (stored: " + s + ")";
  };
  one("MD5", stored.md5, media.md5);
  one("SHA-1", stored.sha1, media.sha1);
  return out;
}

}  // namespace

void check_stored_hashes(TSK_IMG_INFO* img, ImageInfo& info, bool compute) {
  if (img->itype != TSK_IMG_TYPE_EWF_EWF) return;
  auto stored = ewf_stored_hashes(info.files);
  if (!stored) {
    info.errors.push_back(Error{stored.error().code, "stored hashes: " + stored.error().message, "image"});
    return;
  }
  if (stored->md5.empty() && stored->sha1.empty()) return;
  info.stored_hashes = *stored;
  if (!compute) return;
  const io::DigestKinds kinds{.sha256 = false, .sha1 = !stored->sha1.empty(), .md5 = !stored->md5.empty()};
  auto digests = io::file_digests(MediaSource(img), kinds);
  if (!digests) {
    info.errors.push_back(Error{
        Errc::Io,
        "--hash-image: the media cannot be read whole, its stored hashes are not checked: " + digests.error().message,
        "image"});
    return;
  }
  info.media_hashes = MediaHashes{digests->md5, digests->sha1};
  if (*info.media_hashes == *stored) {
    info.hash_check = "match";
    return;
  }
  info.hash_check = "mismatch";
  info.errors.push_back(
      Error{Errc::Malformed,
            "the image was altered or damaged since it was acquired: the media as read do not have the hashes stored "
            "then: " +
                differences(*stored, *info.media_hashes),
            "image"});
}

Result<MediaHashes> ewf_stored_hashes(const std::vector<std::string>& segment_files) {
  if (const auto& loaded = load_ewf(); !loaded) return std::unexpected(loaded.error());
  libewf_handle_t* raw = nullptr;
  libewf_error_t* error = nullptr;
  if (ewf().libewf_handle_initialize(&raw, &error) != 1) return fail(Errc::Internal, "libewf: " + take_message(error));
  HandlePtr handle(raw);
  std::vector<char*> names;
  names.reserve(segment_files.size());
  // libewf's signature takes char* const[], it does not write to the names.
  for (const std::string& f : segment_files) names.push_back(const_cast<char*>(f.c_str()));
  if (ewf().libewf_handle_open(handle.get(), names.data(), static_cast<int>(names.size()), LIBEWF_OPEN_READ, &error) !=
      1)
    return fail(Errc::Io, "libewf cannot open the image: " + take_message(error));
  MediaHashes out;
  auto md5 = stored_digest<16>(handle.get(), ewf().libewf_handle_get_md5_hash, "MD5");
  if (!md5) return std::unexpected(md5.error());
  auto sha1 = stored_digest<20>(handle.get(), ewf().libewf_handle_get_sha1_hash, "SHA-1");
  if (!sha1) return std::unexpected(sha1.error());
  out.md5 = std::move(*md5);
  out.sha1 = std::move(*sha1);
  return out;
}

}  // namespace trustscan::image
