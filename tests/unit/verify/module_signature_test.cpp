// Linux module signatures and the kernel keyring (issue 4). Samples: tools/make_modsig_samples.sh.
#include "verify/module_signature.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include <catch2/catch.hpp>

#include "io/decompress.hpp"
#include "io/hashing.hpp"
#include "support/bytes.hpp"
#include "support/temp_tree.hpp"
#include "verify/kernel_keys.hpp"

using namespace trustscan;
using namespace trustscan::verify;
namespace fs = std::filesystem;

namespace {

fs::path modsig_dir() { return test::samples_dir() / "modsig"; }

std::string load(const std::string& name) {
  std::string bytes = test::read_file(modsig_dir() / name);
  INFO(name);
  REQUIRE(!bytes.empty());
  return bytes;
}


Signature verify_file(const std::string& name, const KernelKeyring& keys) {
  const std::string bytes = load(name);
  return verify_module_signature(test::bytes(bytes), keys);
}

/// The keyring an operator builds with `--module-keys modsig/keys`.
KernelKeyring operator_keys() {
  KernelKeyring keys;
  auto report = keys.add_from_directory(modsig_dir() / "keys");
  REQUIRE(report.errors.empty());
  REQUIRE(report.keys_added == 1);
  REQUIRE(keys.size() == 1);
  return keys;
}

using test::real_tree;

}  // namespace

TEST_CASE("every module-signature sample gets its exact status and flags", "[verify][modsig]") {
  const KernelKeyring keys = operator_keys();
  struct Case {
    const char* file;
    SignatureStatus status;
    VerifyFlags flags;
  };
  const auto c = GENERATE(values<Case>({
      {"demo.ko", SignatureStatus::Unsigned, 0},
      {"demo-signed.ko", SignatureStatus::Valid, 0},
      {"demo-signed-sha512.ko", SignatureStatus::Valid, 0},
      {"demo-signed-keyid.ko", SignatureStatus::Valid, 0},
      {"demo-signed-attrs.ko", SignatureStatus::Valid, 0},
      {"demo-signed-tampered.ko", SignatureStatus::Invalid, static_cast<VerifyFlags>(VerifyFlag::BadSignature)},
      {"demo-signed-truncated.ko", SignatureStatus::Malformed, static_cast<VerifyFlags>(VerifyFlag::Malformed)},
      {"demo-signed-siglen.ko", SignatureStatus::Malformed, static_cast<VerifyFlags>(VerifyFlag::Malformed)},
      {"demo-signed-pgp.ko", SignatureStatus::Malformed, static_cast<VerifyFlags>(VerifyFlag::Malformed)},
      {"demo-other-key.ko", SignatureStatus::UnknownKey, static_cast<VerifyFlags>(VerifyFlag::UnknownKey)},
  }));
  INFO(c.file);
  const auto r = verify_file(c.file, keys);
  CHECK(to_string(r.status) == to_string(c.status));
  CHECK(flag_names(r.flags) == flag_names(c.flags));
  CHECK(r.errors.empty() == (c.status == SignatureStatus::Valid || c.status == SignatureStatus::Unsigned));
}

TEST_CASE("a signed-content digest from the caller gives the same result as hashing again", "[verify][modsig]") {
  const KernelKeyring keys = operator_keys();
  const auto name = GENERATE(as<std::string>{}, "demo-signed.ko", "demo-signed-sha512.ko", "demo-signed-keyid.ko",
                             "demo-signed-attrs.ko", "demo-signed-tampered.ko", "demo-other-key.ko");
  INFO(name);
  const std::string bytes = load(name);
  const auto plain = verify_module_signature(test::bytes(bytes), keys);
  const auto size = module_signed_size(test::bytes(bytes));
  REQUIRE(size);
  CHECK(*size == plain.module()->signed_size);
  const io::Sha256WithPrefix h = io::sha256_with_prefix(test::bytes(bytes), *size);
  const SignedContentDigest right{*size, h.prefix};
  SignedContentDigest wrong = right;
  wrong.sha256[0] ^= 1;
  SignedContentDigest short_by_one = right;
  short_by_one.size -= 1;
  for (const SignedContentDigest* d : std::initializer_list<const SignedContentDigest*>{&right, &wrong, &short_by_one}) {
    const auto r = verify_module_signature(test::bytes(bytes), keys, d);
    CHECK(to_string(r.status) == to_string(plain.status));
    CHECK(flag_names(r.flags) == flag_names(plain.flags));
    CHECK(r.errors == plain.errors);
    CHECK(r.module()->signed_size == plain.module()->signed_size);
    CHECK(r.digest_algorithm == plain.digest_algorithm);
  }
}

TEST_CASE("module_signed_size reads only well-formed PKCS#7 trailers", "[verify][modsig]") {
  CHECK_FALSE(module_signed_size(test::bytes(load("demo.ko"))));
  CHECK_FALSE(module_signed_size(test::bytes(load("demo-signed-siglen.ko"))));
  CHECK_FALSE(module_signed_size(test::bytes(load("demo-signed-pgp.ko"))));
  CHECK(module_signed_size(test::bytes(load("demo-signed.ko"))));
}

TEST_CASE("a valid module signature reports signer, digest and key source", "[verify][modsig]") {
  const KernelKeyring keys = operator_keys();
  const KernelKey& key = keys.keys()[0];
  CHECK(key.source == KernelKeySource::ModuleKeysDir);
  CHECK(key.subject == "CN=trustscan throw-away module signing key,O=trustscan tests");
  CHECK(key.issuer == key.subject);
  CHECK(key.subject_key_id_hex.size() == 40);
  CHECK(key.sha256_fingerprint.size() == 64);

  const auto r = verify_file("demo-signed.ko", keys);
  REQUIRE(r.status == SignatureStatus::Valid);
  CHECK(r.signer.issuer == key.subject);
  CHECK(r.signer.serial_hex == key.serial_hex);
  CHECK(r.module()->subject_key_id_hex.empty());
  CHECK(r.signer.subject == key.subject);
  CHECK(r.module()->signer_name == "trustscan throw-away module signing key");
  CHECK(r.digest_algorithm == "sha256");
  CHECK(r.module()->signature_algorithm == "rsaEncryption");
  CHECK_FALSE(r.module()->certificates_embedded);
  CHECK_FALSE(r.module()->signed_attributes);
  CHECK(r.module()->key_source_kind == "module_keys");
  CHECK(fs::path(r.module()->key_source).filename() == "signing_key.pem");
  CHECK(r.module()->signed_size == load("demo.ko").size());
  CHECK(r.module()->signature_size == load("demo-signed.ko").size() - r.module()->signed_size - 40);

  SECTION("sha512") { CHECK(verify_file("demo-signed-sha512.ko", keys).digest_algorithm == "sha512"); }
  SECTION("signer named by subject key id") {
    const auto k = verify_file("demo-signed-keyid.ko", keys);
    CHECK(k.module()->subject_key_id_hex == key.subject_key_id_hex);
    CHECK(k.signer.issuer.empty());
    CHECK(k.signer.serial_hex.empty());
    CHECK(k.module()->signer_name == "trustscan throw-away module signing key");
  }
  SECTION("signed attributes and an embedded certificate") {
    const auto a = verify_file("demo-signed-attrs.ko", keys);
    CHECK(a.module()->certificates_embedded);
    CHECK(a.module()->signed_attributes);
  }
}

TEST_CASE("without a known key a signed module is unknown_key, even with its certificate embedded",
          "[verify][modsig]") {
  const KernelKeyring none;
  for (const char* f : {"demo-signed.ko", "demo-signed-attrs.ko", "demo-signed-keyid.ko"}) {
    INFO(f);
    const auto r = verify_file(f, none);
    CHECK(r.status == SignatureStatus::UnknownKey);
    CHECK(flag_names(r.flags) == std::vector<std::string>{"unknown_key"});
    CHECK(r.module()->key_source.empty());
  }
}

TEST_CASE("compressed modules verify after decompression (.ko.xz, .ko.zst)", "[verify][modsig]") {
  const KernelKeyring keys = operator_keys();
  const auto kind = GENERATE(std::pair{Compression::Xz, "demo-signed.ko.xz"},
                             std::pair{Compression::Zstd, "demo-signed.ko.zst"});
  const std::string packed = load(kind.second);
  auto plain = io::decompress(kind.first, test::bytes(packed), 1u << 20);
  REQUIRE(plain);
  const auto r = verify_module_signature(*plain, keys);
  CHECK(r.status == SignatureStatus::Valid);
  CHECK(r.flags == 0);
}

TEST_CASE("flipping any signed byte breaks the signature; mangled trailers never crash", "[verify][modsig]") {
  const KernelKeyring keys = operator_keys();
  const std::string signed_ko = load("demo-signed.ko");
  const std::size_t content = load("demo.ko").size();

  for (std::size_t i = 0; i < content; i += 7) {
    std::string b = signed_ko;
    b[i] = static_cast<char>(b[i] ^ 0x20);
    const auto r = verify_module_signature(test::bytes(b), keys);
    INFO("byte " << i);
    REQUIRE(r.status == SignatureStatus::Invalid);
    REQUIRE(has_flag(r.flags, VerifyFlag::BadSignature));
  }
  // Every byte of the PKCS#7 and the trailer, and every truncation: any status but no crash, and
  // a truncated file is never "valid".
  for (std::size_t i = content; i < signed_ko.size(); ++i) {
    std::string b = signed_ko;
    b[i] = static_cast<char>(b[i] ^ 0xff);
    (void)verify_module_signature(test::bytes(b), keys);
  }
  for (std::size_t n = 0; n < signed_ko.size(); ++n) {
    const auto r = verify_module_signature(test::bytes(signed_ko).first(n), keys);
    REQUIRE(r.status != SignatureStatus::Valid);
  }
}

TEST_CASE("has_module_signature looks only at the trailer magic", "[verify][modsig]") {
  CHECK(has_module_signature(test::bytes(load("demo-signed.ko"))));
  CHECK_FALSE(has_module_signature(test::bytes(load("demo.ko"))));
  const std::string magic_only(kModuleSignatureMagic);
  CHECK(has_module_signature(test::bytes(magic_only)));
  const auto r = verify_module_signature(test::bytes(magic_only), KernelKeyring{});
  CHECK(r.status == SignatureStatus::Malformed);
}

// ------------------------------------------------------------------------------- kernel keyring

TEST_CASE("kernel keys are read from the kernel image of a scanned root, whatever its compression",
          "[verify][kernel_keys]") {
  const KernelKeyring reference = operator_keys();
  const auto layout = GENERATE(std::pair{"root-xz", "xz"}, std::pair{"root-gzip", "gzip"},
                               std::pair{"root-zstd", "zstd"}, std::pair{"root-lz4", "lz4"},
                               std::pair{"root-vmlinux", "none"}, std::pair{"root-modules", "gzip"});
  INFO(layout.first);
  KernelKeyring keys;
  const auto report = keys.add_from_root(modsig_dir() / layout.first);
  CHECK(report.errors.empty());
  REQUIRE(report.keys_added == 1);
  REQUIRE(report.images.size() == 1);
  CHECK(report.images[0].compression == layout.second);
  CHECK(report.images[0].certificates == 1);
  CHECK(report.images[0].decompressed_size > 90000);
  REQUIRE(keys.size() == 1);
  const KernelKey& k = keys.keys()[0];
  CHECK(k.source == KernelKeySource::KernelImage);
  CHECK(k.sha256_fingerprint == reference.keys()[0].sha256_fingerprint);
  CHECK(k.origin == report.images[0].path);

  const auto r = verify_file("demo-signed.ko", keys);
  CHECK(r.status == SignatureStatus::Valid);
  CHECK(r.module()->key_source_kind == "kernel_image");
  CHECK(r.module()->key_source == k.origin);
}

TEST_CASE("symlinks under the root are never followed", "[verify][kernel_keys]") {
  // root-symlink/boot -> ../root-xz/boot ; root-symlink2/boot/vmlinuz-test -> ../../root-xz/...
  for (const char* root : {"root-symlink", "root-symlink2"}) {
    INFO(root);
    KernelKeyring keys;
    const auto report = keys.add_from_root(modsig_dir() / root);
    CHECK(report.keys_added == 0);
    CHECK(report.images.empty());
    CHECK(report.errors.empty());
    CHECK(keys.empty());
  }
}

TEST_CASE("kernel keyring errors are per file and never fatal", "[verify][kernel_keys]") {
  SECTION("a kernel image without certificates") {
    KernelKeyring keys;
    const auto report = keys.add_from_root(modsig_dir() / "root-nocert");
    CHECK(keys.empty());
    REQUIRE(report.errors.size() == 1);
    CHECK(report.errors[0].error.code == Errc::Unsupported);
  }
  SECTION("a root without /boot is simply empty") {
    test::TempTree t;
    KernelKeyring keys;
    const auto report = keys.add_from_root(t.path());
    CHECK(report.errors.empty());
    CHECK(report.files.empty());
  }
  SECTION("a missing root or key directory is one error") {
    KernelKeyring keys;
    CHECK(keys.add_from_root("/nonexistent/trustscan-root").errors.size() == 1);
    CHECK(keys.add_from_directory("/nonexistent/trustscan-keys").errors.size() == 1);
  }
  SECTION("key directory: non-certificates and FIFOs are reported, certificates still load") {
    test::TempTree t;
    t.write("keys/notes.txt", "not a certificate");
    t.write("keys/empty.pem", "");
    t.fifo("keys/pipe.pem");
    t.write("keys/good.pem", load("signing_key.pem"));
    t.write("keys/good-again.crt", load("signing_key.pem"));
    KernelKeyring keys;
    const auto report = keys.add_from_directory(t.path() / "keys");
    CHECK(keys.size() == 1);
    CHECK(report.keys_added == 1);
    CHECK(report.duplicates == 1);
    CHECK(report.errors.size() == 3);
  }
  SECTION("a payload larger than the limit is refused, not truncated") {
    const auto root = GENERATE("root-xz", "root-gzip", "root-zstd", "root-lz4");
    INFO(root);
    KernelKeyring keys(KernelKeyLimits{.max_decompressed_size = 50'000});
    const auto report = keys.add_from_root(modsig_dir() / root);
    REQUIRE(report.errors.size() == 1);
    CHECK(report.errors[0].error.code == Errc::TooLarge);
    CHECK(keys.empty());
  }
  SECTION("truncated and garbage kernel images") {
    const std::string image = load("root-xz/boot/vmlinuz-test");
    KernelKeyring keys;
    for (std::size_t n : {std::size_t{0}, std::size_t{16}, std::size_t{0x250}, std::size_t{3000}, image.size() / 2}) {
      const auto report = keys.add_from_kernel_image(test::bytes(image).first(n), "cut");
      CHECK(report.errors.size() == 1);
    }
    std::string junk = image;
    for (std::size_t i = 0x1000; i < junk.size(); i += 97) junk[i] = static_cast<char>(junk[i] ^ 0x5a);
    (void)keys.add_from_kernel_image(test::bytes(junk), "junk");
    CHECK(keys.empty());
  }
}

TEST_CASE("the same certificate from the kernel and from --module-keys is one key", "[verify][kernel_keys]") {
  KernelKeyring keys;
  REQUIRE(keys.add_from_root(modsig_dir() / "root-xz").keys_added == 1);
  const auto again = keys.add_from_directory(modsig_dir() / "keys");
  CHECK(again.keys_added == 0);
  CHECK(again.duplicates == 1);
  CHECK(keys.size() == 1);
  CHECK(keys.keys()[0].source == KernelKeySource::KernelImage);  // the first source wins
}

TEST_CASE("a kernel's certificate list is recognised by its trailer, and only its certificates are keys",
          "[verify][kernel_keys]") {
  const std::string signing = operator_keys().keys()[0].sha256_fingerprint;
  KernelKeyring other_only;
  REQUIRE(other_only.add_certificate(test::bytes(load("other_key.pem")), KernelKeySource::ModuleKeysDir, "other") ==
          std::size_t{1});
  const std::string other = other_only.keys()[0].sha256_fingerprint;
  auto fingerprints = [](const KernelKeyring& keys) {
    std::vector<std::string> out;
    for (const KernelKey& k : keys.keys()) out.push_back(k.sha256_fingerprint);
    return out;
  };
  KernelKeyring keys;
  // The keys of the fake kernel under `root`, which must be one image that loads without error.
  auto image_of = [&keys](const char* root) {
    const auto report = keys.add_from_root(modsig_dir() / root);
    CHECK(report.errors.empty());
    REQUIRE(report.images.size() == 1);
    return report.images[0];
  };

  SECTION("64-bit little-endian sizes after one certificate: the search stops at the list") {
    const KernelImageScan image = image_of("root-list-xz");
    CHECK(image.certificate_list);
    CHECK(image.certificates == 1);
    // The 4 MiB of zeros after the list were never decompressed (the image expands to 4.03 MiB).
    CHECK(image.decompressed_size < (std::uint64_t{4} << 20));
    CHECK(fingerprints(keys) == std::vector{signing});
    CHECK(verify_file("demo-signed.ko", keys).status == SignatureStatus::Valid);
    // The other key's certificate sits before and after the list: the kernel does not trust it.
    CHECK(verify_file("demo-other-key.ko", keys).status == SignatureStatus::UnknownKey);
  }
  SECTION("32-bit big-endian sizes after two certificates, uncompressed") {
    const KernelImageScan image = image_of("root-list-vmlinux");
    CHECK(image.certificate_list);
    CHECK(image.compression == "none");
    CHECK(fingerprints(keys) == std::vector{signing, other});
    CHECK(verify_file("demo-signed.ko", keys).status == SignatureStatus::Valid);
    CHECK(verify_file("demo-other-key.ko", keys).status == SignatureStatus::Valid);
  }
  SECTION("without the trailer (module_cert_size off by one) every certificate of the image is kept") {
    const KernelImageScan image = image_of("root-nolist-xz");
    CHECK_FALSE(image.certificate_list);
    CHECK(image.certificates == 3);  // other, signing, other again
    CHECK(image.decompressed_size > (std::uint64_t{4} << 20));
    CHECK(fingerprints(keys) == std::vector{other, signing});
    CHECK(verify_file("demo-other-key.ko", keys).status == SignatureStatus::Valid);
  }
  SECTION("the fake kernels without a trailer are searched whole, as before") {
    CHECK_FALSE(image_of("root-xz").certificate_list);
  }
}

// ------------------------------------------------------------------------------- real input

TEST_CASE("real Debian kernel: modules verify against the key inside its vmlinuz", "[verify][modsig][real]") {
  const fs::path root = real_tree();
  if (!trustscan::test::real_tree_has(root / "boot")) return;
  KernelKeyring keys;
  const auto report = keys.add_from_root(root);
  CHECK(report.errors.empty());
  REQUIRE(report.keys_added >= 1);
  CHECK(std::ranges::any_of(keys.keys(), [](const KernelKey& k) {
    return k.subject == "CN=Build time autogenerated kernel key";
  }));
  // Debian's 6.1 kernel ends its list as certs/system_certificates.S does: found by its trailer.
  for (const KernelImageScan& image : report.images) {
    INFO(image.path);
    CHECK(image.certificate_list);
  }

  // A sample of modules (every 40th): all valid with the kernel's key, unknown_key without it.
  std::vector<fs::path> modules;
  for (const auto& e : fs::recursive_directory_iterator(root / "lib/modules"))
    if (e.is_regular_file() && e.path().extension() == ".ko") modules.push_back(e.path());
  std::ranges::sort(modules);
  REQUIRE(!modules.empty());
  const KernelKeyring none;
  for (std::size_t i = 0; i < modules.size(); i += 40) {
    const std::string bytes = test::read_file(modules[i]);
    INFO(modules[i]);
    const auto r = verify_module_signature(test::bytes(bytes), keys);
    CHECK(r.status == SignatureStatus::Valid);
    CHECK(r.module()->key_source_kind == "kernel_image");
    CHECK(r.module()->signer_name == "Build time autogenerated kernel key");
    CHECK(verify_module_signature(test::bytes(bytes), none).status == SignatureStatus::UnknownKey);
  }
}
