// image/: disk images built at test time by tools/make_disk_images.sh (fixture build_disk_images).
#include "image/disk_image.hpp"

#include <catch2/catch.hpp>

#include <dirent.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "io/file_access.hpp"
#include "io/hashing.hpp"
#include "support/temp_tree.hpp"

using namespace trustscan;

namespace {

std::filesystem::path images() { return TRUSTSCAN_DISK_IMAGES_DIR; }

/// Every regular file below `dir` of `src`, by relative path.
void collect(const io::FileSource& src, const std::string& dir, std::map<std::string, std::uint64_t>& out) {
  auto listing = src.scan_dir(dir);
  REQUIRE(listing);
  for (const io::EntryStat& e : listing->entries) {
    if (e.fs_internal || e.deleted) continue;
    std::string rel = dir.empty() ? e.name : dir + "/" + e.name;
    if (S_ISDIR(e.st.st_mode)) collect(src, rel, out);
    else if (S_ISREG(e.st.st_mode)) out[rel] = e.st.st_ino;
  }
}

std::unique_ptr<io::FileSource> volume(const std::string& image, unsigned number) {
  auto img = image::DiskImage::open((images() / image).string(), {});
  REQUIRE(img);
  for (const image::Volume& v : (*img)->info().volumes)
    if (v.number == number) {
      auto src = (*img)->source(v, image);
      REQUIRE(src);
      return std::move(*src);  // keeps the image alive
    }
  FAIL("no volume " << number);
  return nullptr;
}

}  // namespace

TEST_CASE("an ext4 image volume reads like the directory it was made from", "[image]") {
  if (!std::filesystem::exists(images() / "ext4.img")) {
    WARN("disk images not built (tools/make_disk_images.sh): skipped");
    return;
  }
  auto src = volume("ext4.img", 0);
  std::map<std::string, std::uint64_t> files;
  collect(*src, "", files);
  auto dir = io::RootDir::open((images() / "content").string());
  REQUIRE(dir);
  std::map<std::string, std::uint64_t> want;
  collect(*dir, "", want);
  REQUIRE(files.size() == want.size());
  for (const auto& [rel, inode] : files) {
    REQUIRE(want.contains(rel));
    auto a = src->read_file(rel, 0);  // by path
    auto f = src->open_file(rel, inode);  // by inode, as the walk hands it over
    REQUIRE(a);
    REQUIRE(f);
    auto b = (*f)->read_all(0);
    auto c = dir->read_file(rel, 0);
    REQUIRE(b);
    REQUIRE(c);
    CHECK(io::sha256_hex(a->bytes()) == io::sha256_hex(c->bytes()));
    CHECK(io::sha256_hex(b->bytes()) == io::sha256_hex(c->bytes()));
  }
  // Case-insensitive resolution and size limits work as on a directory.
  CHECK(src->resolve_nocase("VENDOR-IMAGE/windows/SYSTEM32/drivers/KLIF.SYS").value_or("") ==
        "vendor-image/Windows/System32/drivers/klif.sys");
  auto big = src->read_file("vendor-image/Windows/System32/drivers/klif.sys", 10);
  REQUIRE_FALSE(big);
  CHECK(big.error().code == Errc::TooLarge);
  CHECK_FALSE(src->open_file("no/such/file"));
  CHECK_FALSE(src->scan_dir("no/such/dir"));
}

TEST_CASE("one image volume read by many threads at once gives every file's exact bytes", "[image]") {
  for (const char* name : {"ext4.E01", "fat.img", "ext4.vmdk"}) {
    if (!std::filesystem::exists(images() / name)) {
      WARN("disk images not built: skipped");
      return;
    }
    auto src = volume(name, 0);
    std::map<std::string, std::uint64_t> files;
    collect(*src, "", files);
    std::map<std::string, std::string> sequential;
    for (const auto& [rel, inode] : files) {
      auto c = src->read_file(rel, 0);
      REQUIRE(c);
      sequential[rel] = io::sha256_hex(c->bytes());
    }
    // 8 threads, each reading every file (in a different order): the handle pool lends each
    // thread its own libtsk handles, so no read may see another's state.
    std::vector<std::pair<std::string, std::uint64_t>> list(files.begin(), files.end());
    std::atomic<int> mismatches{0}, failures{0};
    std::vector<std::jthread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&, t] {
        for (std::size_t i = 0; i < list.size(); ++i) {
          const auto& [rel, inode] = list[(i * 7 + static_cast<std::size_t>(t) * 13) % list.size()];
          auto f = src->open_file(rel, inode);
          auto c = f ? (*f)->read_all(0) : Result<io::FileContents>(std::unexpected(f.error()));
          if (!c) ++failures;
          else if (io::sha256_hex(c->bytes()) != sequential[rel]) ++mismatches;
        }
      });
    threads.clear();
    INFO(name);
    CHECK(failures == 0);
    CHECK(mismatches == 0);
  }
}

TEST_CASE("images: volumes of a partition table, and what is not an image", "[image]") {
  if (!std::filesystem::exists(images() / "gpt.img")) {
    WARN("disk images not built: skipped");
    return;
  }
  auto gpt = image::DiskImage::open((images() / "gpt.img").string(), {{2}, false});
  REQUIRE(gpt);
  const image::ImageInfo& info = (*gpt)->info();
  CHECK(info.volume_system == "gpt");
  REQUIRE(info.volumes.size() == 2);
  CHECK(info.volumes[0].selected == false);
  CHECK(info.volumes[1].selected == true);
  CHECK(image::describe(info.volumes[0]) == "partition 1 (ext4, offset 1048576, label TSCONTENT)");
  CHECK(info.volumes[1].fs_type == "fat32");
  CHECK(info.errors.empty());

  test::TempTree t;
  t.write("notes.txt", std::string(70000, 'x'));
  auto text = image::DiskImage::open((t.path() / "notes.txt").string(), {});
  REQUIRE_FALSE(text);
  CHECK(text.error().code == Errc::Unsupported);  // auto-detection scans it as a file
  auto cut = image::DiskImage::open((images() / "truncated.E01").string(), {});
  REQUIRE(cut);  // the container opens; its data does not
  CHECK(cut.value()->info().volumes.at(0).error->message.starts_with("cannot read the ewf image's data"));
}
