#include <catch2/catch.hpp>

#include "app/exit_codes.hpp"
#include "core/error_kind.hpp"

using trustscan::Errc;
using trustscan::ErrorKind;
using trustscan::kind_of;

TEST_CASE("an error is `read` when something was not read, `malformed` when it was", "[app][exit]") {
  for (Errc c : {Errc::Io, Errc::PermissionDenied, Errc::Timeout, Errc::TooLarge, Errc::Internal, Errc::Config})
    CHECK(kind_of(c) == ErrorKind::Read);
  for (Errc c : {Errc::Malformed, Errc::Unsupported}) CHECK(kind_of(c) == ErrorKind::Malformed);
  CHECK(to_string(ErrorKind::Read) == "read");
  CHECK(to_string(ErrorKind::Malformed) == "malformed");
}

TEST_CASE("exit 3 only for errors of kind read (issue 20)", "[app][exit]") {
  trustscan::pipeline::ScanResult r;
  const trustscan::policy::FailOn fail_on{};
  CHECK(trustscan::app::exit_code_for(r, fail_on) == 0);
  r.summary.error_count = 14;
  r.summary.malformed_errors = 14;  // e.g. test samples: "ELF: file shorter than an ELF header"
  CHECK(trustscan::app::exit_code_for(r, fail_on) == 0);
  r.summary.error_count = 15;
  r.summary.read_errors = 1;  // one file that could not be opened
  CHECK(trustscan::app::exit_code_for(r, fail_on) == 3);
  r.interrupted_by = 15;
  CHECK(trustscan::app::exit_code_for(r, fail_on) == 128 + 15);
}
