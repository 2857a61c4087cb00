#include "pipeline/context.hpp"

#include <sys/stat.h>

#include <chrono>

namespace trustscan::pipeline {
namespace {

void note_key_report(const verify::KernelKeyLoadReport& report, Context& ctx) {
  for (const auto& e : report.errors) ctx.notes.push_back({e.path, e.error.message});
  for (const auto& image : report.images)
    ctx.key_sources.push_back(image.path + " (" + std::to_string(image.certificates) + " certificates, " +
                              image.compression + ")");
}

}  // namespace

Result<Context> load_context(const TrustOptions& opt, const std::vector<std::string>& roots) {
  std::vector<std::filesystem::path> anchor_dirs;
  const auto shipped = opt.data_dir / "signatures" / "trust";
  if (opt.default_trust) anchor_dirs.push_back(shipped);
  anchor_dirs.insert(anchor_dirs.end(), opt.trust_dirs.begin(), opt.trust_dirs.end());
  auto trust = verify::TrustStore::load(anchor_dirs, opt.crl_dir);
  if (!trust) return std::unexpected(trust.error());

  verify::MachOTrustAnchors apple;
  if (opt.default_trust) {
    auto loaded = verify::MachOTrustAnchors::load_directory(shipped / "apple");
    if (!loaded) return std::unexpected(loaded.error());
    apple = std::move(*loaded);
  }
  Context ctx{std::move(*trust), std::move(apple), verify::KernelKeyring{}, opt.verify_time, {}, {}};
  if (ctx.verify_time == 0)
    ctx.verify_time = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  for (const auto& dir : opt.module_key_dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
      return fail(Errc::Config, "--module-keys " + dir.string() + ": not a directory");
    auto report = ctx.kernel_keys.add_from_directory(dir);
    note_key_report(report, ctx);
    ctx.key_sources.push_back(dir.string() + " (" + std::to_string(report.keys_added) + " keys)");
  }
  if (opt.kernel_keys_from_roots)
    for (const auto& root : roots) {
      struct stat st {};
      if (::stat(root.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        note_key_report(ctx.kernel_keys.add_from_root(root), ctx);
    }
  return ctx;
}

}  // namespace trustscan::pipeline
