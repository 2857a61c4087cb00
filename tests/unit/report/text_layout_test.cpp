// The table's layout (issue 20): display widths, paths kept whole, prose wrapped at spaces, rows
// of columns that fit the width and never run together.

#include "report/text_layout.hpp"

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "report/text.hpp"

using namespace trustscan;

namespace {

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

/// The text with every path continuation joined to the line above.
std::string joined(const std::string& s) {
  std::string out;
  for (const std::string& l : lines_of(s)) {
    const auto first = l.find_first_not_of(' ');
    if (first != std::string::npos &&
        l.compare(first, report::kPathContinuation.size(), report::kPathContinuation) == 0)
      out += l.substr(first + report::kPathContinuation.size());
    else
      out += (out.empty() ? "" : "\n") + l;
  }
  return out;
}

}  // namespace

TEST_CASE("display_width counts columns, not bytes or code points", "[report][layout]") {
  CHECK(report::display_width("abc") == 3);
  CHECK(report::display_width("été") == 3);
  CHECK(report::display_width("日本語") == 6);
  CHECK(report::display_width("e\xcc\x81") == 1);  // e + combining acute
  CHECK(report::display_width("…") == 1);
}

TEST_CASE("wrap_path: pieces within the width that make up the path, broken after '/'", "[report][layout]") {
  const std::string path =
      "/var/cache/trustscan/realtree/usr/lib/modules/6.1.0-28-amd64/kernel/arch/x86/crypto/"
      "aegis128-aesni.ko";
  for (std::size_t width : {10u, 20u, 37u, 80u}) {
    const auto pieces = report::wrap_path(path, width);
    std::string whole;
    for (const auto& p : pieces) {
      CHECK(report::display_width(p) <= width);
      whole += p;
    }
    CHECK(whole == path);
  }
  CHECK(report::wrap_path(path, 40) == std::vector<std::string>{"/var/cache/trustscan/realtree/usr/lib/",
                                                                "modules/6.1.0-28-amd64/kernel/arch/x86/",
                                                                "crypto/aegis128-aesni.ko"});
  CHECK(report::wrap_path(path, 0) == std::vector<std::string>{path});
  // Wide characters are never split and never overflow.
  for (const auto& p : report::wrap_path("/日本語/日本語日本語日本語/x", 5)) CHECK(report::display_width(p) <= 5);
}

TEST_CASE("wrap_words breaks prose at spaces only", "[report][layout]") {
  const std::string reason = "parse: 94 MiB is larger than --max-parse-size (64 MiB); hashed and verified by streaming";
  const auto lines = report::wrap_words(reason, 30);
  std::string back;
  for (const auto& l : lines) {
    CHECK(report::display_width(l) <= 30);
    back += (back.empty() ? "" : " ") + l;
  }
  CHECK(back == reason);  // every break was at a space: no word was cut
  CHECK(report::wrap_words(reason, 0) == std::vector<std::string>{reason});
}

TEST_CASE("RowTable: rows fit, columns are separated, long paths go below whole", "[report][layout]") {
  const std::string long_path = "/tmp/t/" + std::string(60, 'd') + "/" + std::string(50, 'n') + "/mod.ko";
  for (std::size_t width : {40u, 80u, 200u, 0u}) {
    std::ostringstream s;
    report::TextOut out(s, width);
    report::RowTable rows(0, {"PRIV", "TYPE", "SIGNATURE", "VENDOR", "COUNTRY"});
    rows.add({"kernel", "linux_module", "cat:untrusted", "Shenzhen Example Technology Co., Ltd.", "CN"}, long_path);
    rows.add({"boot", "uefi_application", "valid", "-", "-"}, "/boot/efi/x.efi");
    rows.write_header(out);
    rows.write_row(out, 0);
    rows.write_row(out, 1);
    out.prose(4, "evidence: ", "signer 'Shenzhen Example Technology Co., Ltd.' high; file_name 'mod.ko' medium");
    INFO("width " << width << "\n" << s.str());
    for (const std::string& l : lines_of(s.str())) {
      if (width) CHECK(report::display_width(l) <= width);
      CHECK(l.find("untrustedShenzhen") == std::string::npos);
      CHECK(l.find("modulecat:") == std::string::npos);
    }
    CHECK(joined(s.str()).find(long_path) != std::string::npos);
    CHECK(joined(s.str()).find("/boot/efi/x.efi") != std::string::npos);
  }
  std::ostringstream s;
  report::TextOut out(s, 0);  // no limit: one line per row
  report::RowTable rows(2, {"A", "B"});
  rows.add({"x", "y"}, long_path);
  rows.write_header(out);
  rows.write_row(out, 0);
  CHECK(s.str() == "  A  B  PATH\n  x  y  " + long_path + "\n");
}
