#pragma once
/// \file
/// Windows images under a scan root (issue 6): detection, the image's registry (SYSTEM and
/// SOFTWARE hives) and its catalogs, loaded once before any file is analysed and then only read.
///
/// A directory root R holds a Windows installation at R or up to three levels below it when its
/// `Windows/System32` holds a hive, CatRoot or ntoskrnl.exe, spelled in any case
/// (pipeline/windows_probe.hpp: a bounded breadth-first look), so `/mnt/evidence` holding several
/// mounted volumes finds each of them, and an image without hives still has its catalogs indexed.
/// Every path inside an image is resolved
/// case-insensitively, beneath its root (io::FileSource: never through a symlink, never outside),
/// read-only, with O_NOATIME. Hives are read beneath the root like any file and handed to libhivex
/// as a private in-memory copy (memfd): libhivex opens by name without O_NOATIME, and must neither
/// leave the root through a symlink nor touch the evidence's access times. A root may be a volume
/// of a disk image (issue 10): its hives and catalogs are read through libtsk the same way.
///
/// Catalogs: every `.cat` in `Windows/System32/CatRoot/*/` of each image, and every `.cat` below
/// each `--catalog-dir` (recursively), parsed and verified (verify/catalog.hpp) in parallel and
/// indexed together by member hash. A file listed by a trusted catalog is trusted whatever image
/// it is in: a valid catalog signature is a signed statement about a hash.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/ascii.hpp"
#include "discover/file_ref.hpp"
#include "io/file_source.hpp"
#include "pipeline/windows_probe.hpp"
#include "record/file_record.hpp"
#include "verify/catalog.hpp"
#include "verify/image_trust.hpp"
#include "verify/kernel_load.hpp"
#include "windows/registry.hpp"

namespace trustscan::pipeline {

/// What became of a service's ImagePath.
enum class ServiceFileStatus {
  Scanned,     ///< the file is in the scan and is a binary record
  NotBinary,   ///< the file exists but is not a PE file (or could not be read as one)
  Missing,     ///< no such file in the image
  Unresolved,  ///< the ImagePath could not be mapped into the image (UNC, unknown variable, ...)
  Excluded,    ///< exists, but outside what was scanned (--exclude, size limit)
};
[[nodiscard]] std::string_view to_string(ServiceFileStatus s) noexcept;

/// One `Services` key of the image and where its file is.
struct RegisteredService {
  windows::Service service;
  std::optional<windows::ResolvedImagePath> resolved;  ///< absent: see resolve_error
  std::string resolve_error;
  /// Path of the file relative to the scan root, lower case ('/'-separated): the join key.
  std::string key;
  /// Path as found on disk (scan root joined with the case-insensitively resolved path); empty
  /// when the file does not exist.
  std::string disk_path;
  ServiceFileStatus file_status = ServiceFileStatus::Missing;

  /// A kernel-loaded driver that Windows starts without being asked (boot, system or auto start).
  [[nodiscard]] bool loads_at_boot() const noexcept;
};

/// One Windows installation found under a scan root.
struct WindowsImage {
  std::size_t root_index = 0;  ///< the scan root it is under (index into the opened roots)
  std::string base;            ///< its volume root relative to the scan root ("" = the root itself)
  std::string path;            ///< its volume root as reported (root as given, joined with base)
  char drive = 'C';            ///< the drive letter reported paths use
  unsigned depth = 0;          ///< directory levels of `base` below the scan root
  WindowsParts parts;          ///< which identifying parts it has (the hives are read only if there)
  std::optional<std::string> control_set;
  std::optional<std::string> computer_name;
  std::optional<windows::WindowsVersion> version;
  std::vector<RegisteredService> services;
  /// RegisteredService::key -> indices into services (several services may share one file).
  std::unordered_map<std::string, std::vector<std::size_t>> services_by_key;
  bool services_truncated = false;
  std::size_t catalog_files = 0;  ///< .cat files found in its CatRoot
  /// Its own certificate stores (SOFTWARE hive, users' NTUSER.DAT: pipeline/image_stores.hpp), as
  /// the files inside it are verified with them; trust.counts() names the stores in use.
  verify::ImageTrust trust;
  /// What its SYSTEM hive says of Secure Boot (windows/code_integrity.hpp; the kernel_load reason).
  verify::CodeIntegrityState code_integrity;
  std::vector<std::string> warnings;  ///< hive problems that did not stop the read
  std::vector<std::string> errors;    ///< a hive that could not be read at all

  /// `relative` (below the scan root, inside this image) in Windows form: "C:\Windows\...".
  [[nodiscard]] std::string windows_path(std::string_view relative) const;
  /// True when `relative` (below the scan root) lies inside this image's volume.
  [[nodiscard]] bool contains(std::size_t root, std::string_view relative) const noexcept;
};

/// A catalog that could not be read or parsed (a bad signature is not this: see Catalog).
struct CatalogError {
  std::string path;
  Error error;
};

struct OperatorCatalogs;  // below

/// Everything Windows-specific loaded before the scan.
struct WindowsState {
  std::vector<WindowsImage> images;
  verify::CatalogIndex catalogs;  ///< the images' own catalogs
  /// The --catalog-dir catalogs, indexed once when the engine loaded (looked up after `catalogs`);
  /// never null once loaded.
  std::shared_ptr<const OperatorCatalogs> operator_catalogs;
  std::vector<CatalogError> catalog_errors;
  double catalog_load_seconds = 0;
  /// The indexes a lookup consults, in order: the images' catalogs, then the operator's (an empty
  /// index when none were loaded); never null. No allocation: called for every PE file.
  [[nodiscard]] std::array<const verify::CatalogIndex*, 2> catalog_indexes() const;
  /// Some catalog of catalog_indexes() lists a file.
  [[nodiscard]] bool has_catalogs() const;
  /// The look for images did not cover everything (a limit of windows_probe.hpp was reached).
  std::vector<std::string> probe_warnings;

  /// The image holding `relative` under root `root`, or nullptr.
  [[nodiscard]] const WindowsImage* image_of(std::size_t root, std::string_view relative) const noexcept;
  /// The Windows join: the file's Windows path and the services that load it, or nullopt
  /// outside every image. Done before a file is matched (a registered driver service runs in the
  /// kernel whatever its headers say: record::FileRecord::privilege).
  [[nodiscard]] std::optional<record::WindowsFacts> facts_of(const discover::FileRef& file) const;
};

/// The catalogs loaded for the scan (from Windows images and --catalog-dir).
struct CatalogSummary {
  std::size_t files = 0;                           ///< catalogs parsed
  std::size_t members = 0;                         ///< index entries (member hashes)
  std::map<std::string, std::uint64_t> by_status;  ///< catalogs by their own signature status
  /// Catalogs whose signature is not Valid (nothing is trusted through them).
  std::vector<const verify::Catalog*> not_trusted;
  std::vector<CatalogError> errors;  ///< catalogs that could not be read or parsed
  double load_seconds = 0;
};

/// What was loaded: counts, catalogs by status, the untrusted ones (pointing into `win`).
[[nodiscard]] CatalogSummary catalog_summary(const WindowsState& win);

/// A scan root as opened by the pipeline.
struct OpenRoot {
  std::size_t index = 0;  ///< index of its io::FileSource
  std::string path;       ///< as given on the command line (an image volume: "IMAGE/pN")
  bool is_directory = true;
};

/// The catalogs below --catalog-dir: read, parsed and verified once, when the engine loads
/// (SharedContext::operator_catalogs), and given to every scan (load_windows).
struct OperatorCatalogs {
  verify::CatalogIndex index;             ///< in the order of the directories and their files
  std::vector<CatalogError> errors;       ///< what could not be listed, read or parsed
  double load_seconds = 0;
};

/// Loads the catalogs below `catalog_dirs` with `threads` threads, verified against `ctx`. Never
/// fails: what cannot be read is in the errors.
[[nodiscard]] OperatorCatalogs load_operator_catalogs(const std::vector<std::filesystem::path>& catalog_dirs,
                                                      const verify::VerifyContext& ctx, unsigned threads);

/// The Windows images under one root (windows_probe.hpp), their hives and certificate stores
/// read; none under a single-file root. It needs nothing but the root's source, so it runs beside
/// the root's walk (roots.hpp, OpenedRoots::windows_images). Never fails: what cannot be read is
/// in the images' warnings and the probe's.
struct FoundImages {
  std::vector<WindowsImage> images;
  std::vector<std::string> probe_warnings;  ///< WindowsState::probe_warnings
};
[[nodiscard]] FoundImages find_windows_images(const io::FileSource& dir, const OpenRoot& root);

/// The Windows state of a scan: the images `found` under its roots (in the roots' order) and
/// their catalogs, loaded with `threads` threads; the operator's, loaded once, are shared, not
/// copied. Never fails: what cannot be read is in the images' errors and in catalog_errors.
/// `ctx` is what catalog signatures are verified against.
[[nodiscard]] WindowsState load_windows(std::vector<FoundImages> found,
                                        const std::vector<std::unique_ptr<io::FileSource>>& dirs,
                                        std::shared_ptr<const OperatorCatalogs> operator_catalogs,
                                        const verify::VerifyContext& ctx, unsigned threads);

/// After the scan: each service whose file was not among `record_keys` (fold_case of the
/// root-relative paths of the binary records under that image's root) gets its status from the
/// disk: NotBinary when the walk saw the file (`walked_keys`), Excluded when it exists but was not
/// walked, Missing when it does not exist. Scanned ones get Scanned and their disk path.
void settle_services(WindowsImage& image, const io::FileSource& dir, std::string_view root_path,
                     const std::unordered_map<std::string, std::string>& record_keys,
                     const std::unordered_set<std::string>& walked_keys);

/// After the scan, for every image: which registered services' files were scanned (`binaries`:
/// the files whose records the scan made, in any order), which are not binaries, which are
/// missing (settle_services).
void settle_windows(WindowsState& win, const std::vector<std::unique_ptr<io::FileSource>>& sources,
                    const std::vector<OpenRoot>& roots, std::span<const discover::FileRef> binaries,
                    std::span<const discover::FileRef> files);

}  // namespace trustscan::pipeline
