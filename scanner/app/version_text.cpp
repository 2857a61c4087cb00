#include "app/version_text.hpp"

#include <sstream>

#include "app/data_dir.hpp"
#include "attribute/confusables.hpp"
#include "cache/scan_cache.hpp"
#include "datasets/dataset_io.hpp"
#include "datasets/update.hpp"
#include "image/disk_image.hpp"
#include "io/decompress.hpp"
#include "match/rule_set.hpp"
#include "parse/parser.hpp"
#include "verify/verify_file.hpp"

namespace trustscan::app {
namespace {

void print_datasets(const std::filesystem::path& imported_dir, std::ostream& out) {
  auto all = datasets::load_provenance(imported_dir);
  out << "imported data (" << imported_dir.string() << "):";
  if (!all) {
    out << " unreadable: " << all.error().message << '\n';
    return;
  }
  if (all->empty()) out << " none (trustscan data import DIR; the report says which anchors are used)";
  out << '\n';
  for (const datasets::DatasetInfo& info : *all)
    out << "  " << info.name << ' ' << (info.version.empty() ? std::string("(no publisher version)") : info.version)
        << ", imported " << info.imported_at << '\n';
}

}  // namespace

std::string version_text(const std::filesystem::path& imported_dir) {
  std::ostringstream out;
  out << "trustscan " << TRUSTSCAN_VERSION << '\n';
  out << "libraries: " << parse::lief_version() << "; " << match::yara_version() << "; " << verify::openssl_version()
      << "; " << image::sleuthkit_version() << "; " << io::compression_versions() << "; " << cache::sqlite_version()
      << "; " << attribute::icu_version() << "; " << datasets::curl_version_text() << '\n';
  auto shipped = find_data_dir();
  out << "shipped data: " << (shipped ? shipped->string() : "not found (" + shipped.error().message + ")") << '\n';
  print_datasets(imported_dir, out);
  return out.str();
}

}  // namespace trustscan::app
