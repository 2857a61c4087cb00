#pragma once
// The data trustscan ships (signatures/, rules/), loaded once for the tests that need it.

#include "attribute/vendor_db.hpp"

namespace trustscan::test {

/// signatures/vendors as shipped; a load error fails the calling test.
[[nodiscard]] const attribute::VendorDb& shipped_vendors();

}  // namespace trustscan::test
