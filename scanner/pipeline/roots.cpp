#include "pipeline/roots.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>

#include "core/parallel.hpp"
#include "identify/format.hpp"
#include "io/file_access.hpp"
#include "io/hashing.hpp"
#include "pipeline/context.hpp"
#include "pipeline/pipeline.hpp"

namespace trustscan::pipeline {
namespace {

Error at_stage(Error e, std::string stage) {
  e.stage = std::move(stage);
  return e;
}

/// A regular file that identify/ does not call a binary: could it be a disk image?
bool worth_probing(const std::string& path) {
  auto fd = io::open_root_file(path);
  if (!fd) return false;  // the single-file scan reports the open error
  io::FdGuard guard(*fd);
  auto prefix = io::read_prefix(*fd, identify::kSniffBytes);
  if (!prefix) return false;
  identify::Identity id = identify::sniff(*prefix, prefix->size(), path);
  return id.format == Format::Unknown && id.compression == Compression::None;
}

/// Begins the look for Windows images under the root just opened (roots.opened.back()), on a
/// thread of its own where the scan has more than one, so that it runs beside the root's walk: it
/// lists up to kMaxProbeDepth levels of directories again, and ran after the walks, alone (about
/// 30 ms of a 0.45 s re-scan of /usr).
void look_for_windows(const ScanOptions& opt, OpenedRoots& roots) {
  if (!opt.context.windows_images) return;
  // One look at a time: the previous root's ends before this one begins (its walk usually took
  // longer), so that a scan of many roots does not hold a thread for each.
  if (!roots.windows_images.empty()) {
    const std::future<FoundImages>& previous = roots.windows_images.back();
    if (previous.wait_for(std::chrono::seconds(0)) != std::future_status::deferred) previous.wait();
  }
  roots.windows_images.push_back(start_beside(
      threads_or_cores(opt.threads) > 1, [&source = *roots.sources[roots.opened.back().index],
                                          root = roots.opened.back()] { return find_windows_images(source, root); }));
}

/// Adds the selected volumes of `image` as roots and walks them.
void add_image(const std::shared_ptr<image::DiskImage>& image, OpenedRoots& roots, discover::WalkResult& walk,
               const discover::WalkOptions& wopt, const ScanOptions& opt) {
  const image::ImageInfo& info = image->info();
  for (const Error& e : info.errors) walk.errors.push_back({info.path, e});
  for (const image::Volume& v : info.volumes) {
    if (!v.selected) continue;
    std::string display = v.number == 0 ? info.path : info.path + "/p" + std::to_string(v.number);
    // The path names the volume ("IMAGE/p2"); its description is in the report's images[].
    for (const std::string& w : v.warnings) walk.errors.push_back({display, Error{Errc::Io, w, "image"}});
    if (v.error) {
      walk.errors.push_back({display, at_stage(*v.error, "image")});
      continue;
    }
    auto source = image->source(v, display);
    if (!source) {
      walk.errors.push_back({display, at_stage(source.error(), "image")});
      continue;
    }
    std::size_t index = roots.sources.size();
    roots.sources.push_back(std::move(*source));
    roots.opened.push_back({index, display, true});
    roots.locations.push_back(std::make_shared<const image::Location>(image::Location{info.path, v}));
    look_for_windows(opt, roots);
    discover::walk(*roots.sources.back(), index, wopt, walk);
  }
}

}  // namespace

unsigned listing_threads(unsigned scan_threads) noexcept {
  return scan_threads > 1 ? std::max(scan_threads, kListingThreads) : 1;
}

void discover_roots(const ScanOptions& opt, OpenedRoots& roots, discover::WalkResult& walk,
                    std::vector<discover::ExcludedFile> own_files) {
  // (Disk images: the scan's threads, each listing borrows a libtsk handle. Directories: listing_threads.)
  discover::WalkOptions wopt{opt.excludes,
                             opt.one_file_system,
                             opt.limits.max_file_size,
                             opt.stop,
                             opt.images.include_deleted,
                             opt.include_network_fs,
                             threads_or_cores(opt.threads),
                             {}};
  discover::WalkOptions dir_opt = wopt;
  dir_opt.threads = listing_threads(wopt.threads);
  dir_opt.excluded_files = std::move(own_files);  // (the host's files: not an image's entries)
  const image::OpenOptions image_options{opt.images.partitions, opt.images.hash};
  for (const std::string& root : opt.roots) {
    struct stat st {};
    if (::stat(root.c_str(), &st) != 0) {
      walk.errors.push_back({root, Error{Errc::Io, std::string("stat: ") + std::strerror(errno), "discover"}});
      continue;
    }
    bool is_file = S_ISREG(st.st_mode);
    if (is_file && (opt.images.force || worth_probing(root))) {
      auto image = image::DiskImage::open(root, image_options);
      if (image) {
        roots.images.push_back((*image)->info());
        add_image(*image, roots, walk, wopt, opt);
        continue;
      }
      // Not an image after all (auto-detection): scanned below as one file. Forced, a container
      // format that cannot be read (a truncated E01), or no libtsk to tell: an error on the root.
      // A root that cannot be read as the command line asks is a `config` error (kind read, exit 3:
      // core/error_kind.hpp), not a malformed file.
      if (opt.images.force || image.error().code != Errc::Unsupported) {
        Error e = at_stage(image.error(), "image");
        if (e.code == Errc::Unsupported) e.code = Errc::Config;
        walk.errors.push_back({root, std::move(e)});
        continue;
      }
    } else if (opt.images.force) {
      walk.errors.push_back({root, Error{Errc::Config, "--image: not a regular file", "image"}});
      continue;
    }
    std::string dir = root;
    std::string name;
    if (is_file) {
      auto slash = root.find_last_of('/');
      dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : root.substr(0, slash));
      name = slash == std::string::npos ? root : root.substr(slash + 1);
    } else if (!S_ISDIR(st.st_mode)) {
      walk.errors.push_back({root, Error{Errc::Config, "not a directory or regular file", "discover"}});
      continue;
    }
    auto rd = io::RootDir::open(dir);
    if (!rd) {
      walk.errors.push_back({root, at_stage(rd.error(), "discover")});
      continue;
    }
    std::size_t index = roots.sources.size();
    roots.sources.push_back(std::make_unique<io::RootDir>(std::move(*rd)));
    roots.locations.push_back(nullptr);
    roots.opened.push_back({index, root, !is_file});
    if (!is_file) {
      look_for_windows(opt, roots);
      discover::walk(*roots.sources.back(), index, dir_opt, walk);
      continue;
    }
    if (discover::skip_if_excluded(root, st, dir_opt, walk)) continue;
    discover::FileRef f = discover::file_ref(index, name, root, st);
    if (f.size == 0)
      ++walk.empty_files;
    else if (!discover::skip_if_too_large(root, f.size, wopt.max_file_size, walk))
      walk.files.push_back(std::move(f));
  }
}

void add_image_kernel_keys(const OpenedRoots& roots, Context& ctx) {
  std::set<std::string> searched;  // SHA-256 of the kernels already searched
  for (std::size_t i = 0; i < roots.sources.size(); ++i) {
    if (!roots.locations[i]) continue;  // directories: scan_context did them
    const io::FileSource& src = *roots.sources[i];
    std::vector<std::string> candidates;
    if (auto boot = src.list("boot"))
      for (const io::DirEntry& e : *boot)
        if (e.type != DT_LNK && (e.name == "vmlinuz" || e.name == "vmlinux" || e.name.starts_with("vmlinuz-") ||
                                 e.name.starts_with("vmlinux-")))
          candidates.push_back("boot/" + e.name);
    for (const char* base : {"lib/modules", "usr/lib/modules"})
      if (auto versions = src.list(base))
        for (const io::DirEntry& v : *versions)
          if (v.type == DT_DIR)
            if (auto files = src.list(std::string(base) + "/" + v.name))
              for (const io::DirEntry& f : *files)
                if (f.name == "vmlinuz" && f.type == DT_REG) candidates.push_back(std::string(base) + "/" + v.name + "/vmlinuz");
    for (const std::string& rel : candidates) {
      std::string shown = src.path() + "/" + rel;
      auto bytes = src.read_file(rel, 256ull << 20);  // verify::KernelKeyLimits::max_file_size
      if (!bytes) {
        ctx.notes.push_back({shown, bytes.error().message});
        continue;
      }
      if (!searched.insert(io::sha256_hex(bytes->bytes())).second) continue;
      // Loads (or waits for) the keys of the directory roots and adds these.
      LoadedKeyring& keys = ctx.kernel_keys.wait_to_modify();
      auto report = keys.keyring.add_from_kernel_image(bytes->bytes(), shown);
      for (const auto& e : report.errors) keys.notes.push_back({e.path, e.error.message});
      for (const auto& k : report.images)
        keys.key_sources.push_back(k.path + " (" + std::to_string(k.certificates) + " certificates, " + k.compression + ")");
    }
  }
}

}  // namespace trustscan::pipeline
