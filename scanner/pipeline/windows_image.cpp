#include "pipeline/windows_image.hpp"

#include <dirent.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "core/parallel.hpp"
#include "io/file_access.hpp"
#include "pipeline/hive_file.hpp"
#include "pipeline/image_stores.hpp"
#include "windows/code_integrity.hpp"

namespace trustscan::pipeline {
namespace {

constexpr std::string_view kSystemHive = "Windows/System32/config/SYSTEM";
constexpr std::string_view kSoftwareHive = "Windows/System32/config/SOFTWARE";
constexpr std::string_view kCatRoot = "Windows/System32/CatRoot";
/// --catalog-dir is walked at most this deep, and at most this many catalogs are loaded in all.
constexpr int kMaxCatalogDepth = 16;
constexpr std::size_t kMaxCatalogFiles = 200'000;

std::string join(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  return std::string(a) + "/" + std::string(b);
}

/// The reported form of `relative` under a root given as `root`.
std::string report_path(std::string_view root, std::string_view relative) {
  if (relative.empty()) return std::string(root);
  if (!root.empty() && root.back() == '/') return std::string(root) + std::string(relative);
  return std::string(root) + "/" + std::string(relative);
}

bool ends_with_nocase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && fold_case(s.substr(s.size() - suffix.size())) == suffix;
}

void read_system_hive(const io::FileSource& dir, WindowsImage& image) {
  auto system_rel = dir.resolve_nocase(join(image.base, kSystemHive));
  if (!system_rel) {
    image.errors.push_back("SYSTEM hive: " + system_rel.error().message);
    return;
  }
  // The Secure Boot state is read from the same copy of the hive (windows/code_integrity.hpp).
  Result<std::optional<bool>> secure_boot = std::nullopt;
  auto hive = read_hive(dir, *system_rel, [&](const std::filesystem::path& p) {
    auto system = windows::read_system_hive(p);
    if (system) secure_boot = windows::read_secure_boot_state(p, system->control_set);
    return system;
  });
  if (!hive) {
    image.errors.push_back("SYSTEM hive " + *system_rel + ": " + hive.error().message);
  } else {
    image.control_set = hive->control_set;
    image.computer_name = hive->computer_name;
    image.services_truncated = hive->services_truncated;
    image.warnings = std::move(hive->warnings);
    if (secure_boot)
      image.code_integrity.secure_boot = *secure_boot;
    else
      image.warnings.push_back("SYSTEM hive " + *system_rel + ": " + secure_boot.error().message);
    for (windows::Service& s : hive->services) {
      RegisteredService reg;
      auto resolved = windows::resolve_image_path(s.image_path.value_or(""), s.name, s.type);
      if (!resolved) {
        reg.resolve_error = resolved.error().message;
        reg.file_status = ServiceFileStatus::Unresolved;
      } else if (resolved->drive != image.drive && resolved->drive != (image.drive | 0x20)) {
        reg.resolve_error = std::string("on drive ") + resolved->drive + ":, not the image's " + image.drive + ":";
        reg.file_status = ServiceFileStatus::Unresolved;
        reg.resolved = std::move(*resolved);
      } else {
        reg.key = fold_case(join(image.base, resolved->volume_relative));
        reg.resolved = std::move(*resolved);
      }
      reg.service = std::move(s);
      if (!reg.key.empty()) image.services_by_key[reg.key].push_back(image.services.size());
      image.services.push_back(std::move(reg));
    }
  }
}

void read_software_hive(const io::FileSource& dir, WindowsImage& image) {
  auto software_rel = dir.resolve_nocase(join(image.base, kSoftwareHive));
  if (!software_rel) {
    image.warnings.push_back("SOFTWARE hive: " + software_rel.error().message);
    return;
  }
  auto version = read_hive(dir, *software_rel,
                           [](const std::filesystem::path& p) { return windows::read_software_hive(p); });
  if (version)
    image.version = std::move(*version);
  else
    image.warnings.push_back("SOFTWARE hive " + *software_rel + ": " + version.error().message);
}

/// The hives the image has (a missing one is a missing part, not an error: windows_probe.hpp).
void read_registry(const io::FileSource& dir, WindowsImage& image) {
  if (image.parts.system_hive) read_system_hive(dir, image);
  if (image.parts.software_hive) read_software_hive(dir, image);
}

}  // namespace

FoundImages find_windows_images(const io::FileSource& dir, const OpenRoot& root) {
  FoundImages out;
  if (!root.is_directory) return out;
  ProbeResult found = probe_windows(dir);
  for (std::string& w : found.warnings) out.probe_warnings.push_back(report_path(root.path, "") + ": " + w);
  for (ProbeHit& hit : found.hits) {
    WindowsImage& image = out.images.emplace_back();
    image.root_index = root.index;
    image.path = report_path(root.path, hit.base);
    image.base = std::move(hit.base);
    image.depth = hit.depth;
    image.parts = hit.parts;
    read_registry(dir, image);
    read_image_stores(dir, image);
  }
  return out;
}

namespace {

/// A catalog file to load: which root it is under and where.
struct CatalogFile {
  const io::FileSource* dir = nullptr;
  std::string relative;
  std::string path;  ///< as reported
  /// The stores of the image whose CatRoot holds it (its signature is verified with them);
  /// nullptr for --catalog-dir and images without stores.
  const verify::ImageTrust* image = nullptr;
};

void list_catroot(const io::FileSource& dir, WindowsImage& image, std::vector<CatalogFile>& out) {
  auto catroot = dir.resolve_nocase(join(image.base, kCatRoot));
  if (!catroot) {
    image.warnings.push_back("no CatRoot: catalog-signed files will show as unsigned");
    return;
  }
  auto subdirs = dir.list(*catroot);
  if (!subdirs) {
    image.warnings.push_back("CatRoot: " + subdirs.error().message);
    return;
  }
  for (const io::DirEntry& sub : *subdirs) {
    if (sub.type != DT_DIR && sub.type != DT_UNKNOWN) continue;
    std::string sub_rel = *catroot + "/" + sub.name;
    auto files = dir.list(sub_rel);
    if (!files) {
      if (sub.type == DT_DIR) image.warnings.push_back("CatRoot/" + sub.name + ": " + files.error().message);
      continue;
    }
    for (const io::DirEntry& f : *files) {
      if ((f.type != DT_REG && f.type != DT_UNKNOWN) || !ends_with_nocase(f.name, ".cat")) continue;
      std::string rel = sub_rel + "/" + f.name;
      out.push_back({&dir, rel, report_path(dir.path(), rel), image.trust.empty() ? nullptr : &image.trust});
      ++image.catalog_files;
    }
  }
}

void list_catalog_dir(const io::FileSource& dir, const std::string& relative, int depth, std::vector<CatalogFile>& out,
                      std::vector<CatalogError>& errors) {
  auto entries = dir.list(relative);
  if (!entries) {
    errors.push_back({report_path(dir.path(), relative), entries.error()});
    return;
  }
  for (const io::DirEntry& e : *entries) {
    std::string rel = join(relative, e.name);
    if (e.type == DT_DIR) {
      if (depth < kMaxCatalogDepth) list_catalog_dir(dir, rel, depth + 1, out, errors);
    } else if ((e.type == DT_REG || e.type == DT_UNKNOWN) && ends_with_nocase(e.name, ".cat")) {
      out.push_back({&dir, rel, report_path(dir.path(), rel)});
    }
  }
}

/// Reads and verifies every catalog, `threads` at a time. Keeps file order in the result.
std::vector<verify::Catalog> load_catalogs(const std::vector<CatalogFile>& files, const verify::VerifyContext& ctx,
                                           unsigned threads, std::vector<CatalogError>& errors) {
  std::vector<std::optional<verify::Catalog>> loaded(files.size());
  std::vector<std::optional<CatalogError>> failed(files.size());
  const auto load = [&](std::size_t i) {
    const CatalogFile& f = files[i];
    try {
      auto contents = f.dir->read_file(f.relative, verify::kMaxCatalogSize);
      if (!contents) {
        failed[i] = CatalogError{f.path, contents.error()};
        return;
      }
      verify::VerifyContext with_image = ctx;
      with_image.image = f.image;
      auto catalog = verify::parse_catalog(contents->bytes(), f.path, with_image);
      if (catalog)
        loaded[i] = std::move(*catalog);
      else
        failed[i] = CatalogError{f.path, catalog.error()};
    } catch (const std::exception& e) {
      failed[i] = CatalogError{f.path,
                               Error{Errc::Internal, std::string("unexpected exception: ") + e.what(), "verify"}};
    }
  };
  parallel_for(files.size(),
               std::min<unsigned>(threads, static_cast<unsigned>(std::max<std::size_t>(1, files.size() / 4))), load);
  std::vector<verify::Catalog> out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (loaded[i]) out.push_back(std::move(*loaded[i]));
    if (failed[i]) errors.push_back(std::move(*failed[i]));
  }
  return out;
}

}  // namespace

std::string_view to_string(ServiceFileStatus s) noexcept {
  switch (s) {
    case ServiceFileStatus::Scanned: return "scanned";
    case ServiceFileStatus::NotBinary: return "not_binary";
    case ServiceFileStatus::Missing: return "missing";
    case ServiceFileStatus::Unresolved: return "unresolved";
    case ServiceFileStatus::Excluded: return "not_scanned";
  }
  return "unknown";
}

bool RegisteredService::loads_at_boot() const noexcept {
  using windows::StartType;
  return windows::is_driver(service.type) &&
         (service.start == StartType::Boot || service.start == StartType::System || service.start == StartType::Auto);
}

bool WindowsImage::contains(std::size_t root, std::string_view relative) const noexcept {
  if (root != root_index) return false;
  if (base.empty()) return true;
  return relative.size() > base.size() && relative.starts_with(base) && relative[base.size()] == '/';
}

std::string WindowsImage::windows_path(std::string_view relative) const {
  if (!base.empty()) relative.remove_prefix(std::min(relative.size(), base.size() + 1));
  std::string out{drive, ':', '\\'};
  for (char c : relative) out += c == '/' ? '\\' : c;
  return out;
}

void settle_services(WindowsImage& image, const io::FileSource& dir, std::string_view root_path,
                     const std::unordered_map<std::string, std::string>& record_keys,
                     const std::unordered_set<std::string>& walked_keys) {
  for (RegisteredService& reg : image.services) {
    if (reg.key.empty()) continue;  // Unresolved
    if (auto it = record_keys.find(reg.key); it != record_keys.end()) {
      reg.file_status = ServiceFileStatus::Scanned;
      reg.disk_path = it->second;
      continue;
    }
    auto on_disk = dir.resolve_nocase(join(image.base, reg.resolved->volume_relative));
    if (!on_disk) {
      reg.file_status = ServiceFileStatus::Missing;
      continue;
    }
    reg.disk_path = report_path(root_path, *on_disk);
    reg.file_status = walked_keys.contains(reg.key) ? ServiceFileStatus::NotBinary : ServiceFileStatus::Excluded;
  }
}

const WindowsImage* WindowsState::image_of(std::size_t root, std::string_view relative) const noexcept {
  // The deepest image wins (an image at the root and another in a subdirectory cannot both hold
  // a file, but be exact anyway).
  const WindowsImage* best = nullptr;
  for (const WindowsImage& image : images)
    if (image.contains(root, relative) && (!best || image.base.size() > best->base.size())) best = &image;
  return best;
}

std::optional<record::WindowsFacts> WindowsState::facts_of(const discover::FileRef& file) const {
  const WindowsImage* image = image_of(file.root_index, file.relative);
  if (!image) return std::nullopt;
  record::WindowsFacts facts{image->path, image->windows_path(file.relative), {}, false};
  if (auto it = image->services_by_key.find(fold_case(file.relative)); it != image->services_by_key.end())
    for (std::size_t i : it->second) {
      const RegisteredService& reg = image->services[i];
      facts.services.push_back(reg.service);
      facts.loads_at_boot = facts.loads_at_boot || reg.loads_at_boot();
    }
  return facts;
}

std::array<const verify::CatalogIndex*, 2> WindowsState::catalog_indexes() const {
  static const verify::CatalogIndex kNone;
  return {&catalogs, operator_catalogs ? &operator_catalogs->index : &kNone};
}

bool WindowsState::has_catalogs() const {
  return std::ranges::any_of(catalog_indexes(), [](const verify::CatalogIndex* index) { return index->size() != 0; });
}

CatalogSummary catalog_summary(const WindowsState& win) {
  CatalogSummary s;
  for (const verify::CatalogIndex* index : win.catalog_indexes()) {
    s.files += index->catalogs().size();
    s.members += index->size();
    for (const verify::Catalog& c : index->catalogs()) {
      ++s.by_status[std::string(to_string(c.signature.status))];
      if (c.signature.status != verify::SignatureStatus::Valid) s.not_trusted.push_back(&c);
    }
  }
  s.errors = win.catalog_errors;
  s.load_seconds = win.catalog_load_seconds;
  return s;
}

void settle_windows(WindowsState& win, const std::vector<std::unique_ptr<io::FileSource>>& sources,
                    const std::vector<OpenRoot>& roots, std::span<const discover::FileRef> binaries,
                    std::span<const discover::FileRef> files) {
  for (WindowsImage& image : win.images) {
    std::unordered_map<std::string, std::string> record_keys;
    for (const discover::FileRef& f : binaries)
      if (f.root_index == image.root_index) record_keys.emplace(fold_case(f.relative), f.path);
    std::unordered_set<std::string> walked_keys;
    for (const discover::FileRef& f : files)
      if (f.root_index == image.root_index) walked_keys.insert(fold_case(f.relative));
    const auto root = std::ranges::find(roots, image.root_index, &OpenRoot::index);
    settle_services(image, *sources[image.root_index], root == roots.end() ? "" : root->path, record_keys, walked_keys);
  }
}

namespace {

/// At most kMaxCatalogFiles of `files` (an error names the first one left out).
void limit_catalog_files(std::vector<CatalogFile>& files, std::vector<CatalogError>& errors) {
  if (files.size() <= kMaxCatalogFiles) return;
  errors.push_back(
      {files[kMaxCatalogFiles].path,
       Error{Errc::TooLarge,
             "more than " + std::to_string(kMaxCatalogFiles) + " catalog files; the rest are not loaded", "verify"}});
  files.resize(kMaxCatalogFiles);
}

}  // namespace

OperatorCatalogs load_operator_catalogs(const std::vector<std::filesystem::path>& catalog_dirs,
                                        const verify::VerifyContext& ctx, unsigned threads) {
  OperatorCatalogs out;
  if (catalog_dirs.empty()) return out;
  const auto started = std::chrono::steady_clock::now();
  std::vector<io::RootDir> opened_dirs;  // alive until their catalogs are read
  opened_dirs.reserve(catalog_dirs.size());
  std::vector<CatalogFile> files;
  for (const auto& d : catalog_dirs) {
    auto opened = io::RootDir::open(d.string());
    if (!opened) {
      out.errors.push_back({d.string(), opened.error()});
      continue;
    }
    opened_dirs.push_back(std::move(*opened));
    list_catalog_dir(opened_dirs.back(), "", 0, files, out.errors);
  }
  limit_catalog_files(files, out.errors);
  out.index = verify::CatalogIndex(load_catalogs(files, ctx, threads, out.errors));
  out.load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

WindowsState load_windows(std::vector<FoundImages> found, const std::vector<std::unique_ptr<io::FileSource>>& dirs,
                          std::shared_ptr<const OperatorCatalogs> operator_catalogs, const verify::VerifyContext& ctx,
                          unsigned threads) {
  WindowsState state;
  auto started = std::chrono::steady_clock::now();
  for (FoundImages& root : found) {
    std::ranges::move(root.images, std::back_inserter(state.images));
    std::ranges::move(root.probe_warnings, std::back_inserter(state.probe_warnings));
  }
  std::vector<CatalogFile> files;
  for (WindowsImage& image : state.images) list_catroot(*dirs[image.root_index], image, files);
  limit_catalog_files(files, state.catalog_errors);
  state.catalogs = verify::CatalogIndex(load_catalogs(files, ctx, threads, state.catalog_errors));
  state.catalog_errors.insert(state.catalog_errors.end(), operator_catalogs->errors.begin(),
                              operator_catalogs->errors.end());
  state.catalog_load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() +
                               operator_catalogs->load_seconds;
  state.operator_catalogs = std::move(operator_catalogs);
  return state;
}

}  // namespace trustscan::pipeline
