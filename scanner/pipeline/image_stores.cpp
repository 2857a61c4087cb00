#include "pipeline/image_stores.hpp"

#include <dirent.h>

#include <string>
#include <vector>

#include "pipeline/hive_file.hpp"
#include "windows/certificate_stores.hpp"

namespace trustscan::pipeline {
namespace {

constexpr std::string_view kSoftwareHive = "Windows/System32/config/SOFTWARE";

std::string under(std::string_view base, std::string_view relative) {
  return base.empty() ? std::string(relative) : std::string(base) + "/" + std::string(relative);
}

/// The stores of the hive at `relative` (resolved case-insensitively under the image), added to
/// `out`; `label` names the hive in warnings. A hive that is not there is skipped silently.
void read_stores(const io::FileSource& dir, const std::string& relative, const std::string& label,
                 const std::vector<windows::StoreLocation>& locations, WindowsImage& image,
                 std::vector<verify::ImageStoreCertificate>& out) {
  auto resolved = dir.resolve_nocase(relative);
  if (!resolved) return;
  auto stores = read_hive(
      dir, *resolved, [&](const std::filesystem::path& p) { return windows::read_certificate_stores(p, locations); });
  if (!stores) {
    image.warnings.push_back("certificate stores of " + label + ": " + stores.error().message);
    return;
  }
  for (std::string& w : stores->warnings) image.warnings.push_back("certificate stores: " + std::move(w));
  for (verify::ImageStoreCertificate& c : stores->certificates) out.push_back(std::move(c));
}

/// Each user profile's NTUSER.DAT under `Users/` of the image.
void read_user_stores(const io::FileSource& dir, WindowsImage& image, std::vector<verify::ImageStoreCertificate>& out) {
  auto users = dir.resolve_nocase(under(image.base, "Users"));
  if (!users) return;
  auto profiles = dir.list(*users, kMaxUserProfiles);
  if (!profiles) return;
  for (const io::DirEntry& e : *profiles) {
    if (e.type != DT_DIR && e.type != DT_UNKNOWN) continue;
    const std::string label = "Users\\" + e.name + "\\NTUSER.DAT";
    read_stores(dir, *users + "/" + e.name + "/NTUSER.DAT", label, windows::user_store_locations(label), image, out);
  }
}

}  // namespace

void read_image_stores(const io::FileSource& dir, WindowsImage& image) {
  std::vector<verify::ImageStoreCertificate> certificates;
  read_stores(dir, under(image.base, kSoftwareHive), "SOFTWARE", windows::machine_store_locations(), image,
              certificates);
  read_user_stores(dir, image, certificates);
  if (certificates.empty()) return;
  std::vector<std::string> warnings;
  image.trust = verify::ImageTrust::build(certificates, warnings);
  for (std::string& w : warnings) image.warnings.push_back("certificate stores: " + std::move(w));
}

}  // namespace trustscan::pipeline
