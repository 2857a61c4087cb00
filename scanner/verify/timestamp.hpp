#pragma once
/// \file
/// Private to verify/: the timestamps of a PKCS#7 SignerInfo, evaluated once for every caller —
/// Authenticode signatures (authenticode.cpp) and catalog signatures (catalog.cpp) — so that both
/// validate their chains at the same time by the same rules.
///
/// Two kinds are recognised in the signer's unauthenticated attributes:
///  - RFC 3161 token (1.3.6.1.4.1.311.3.3.1, what `signtool /tr` writes): a CMS SignedData whose
///    content is a TSTInfo. Checked: the token's signature and content digest (CMS_verify), the
///    messageImprint = digest of the signer's signature value (encryptedDigest), and the TSA
///    certificate's chain to an anchor at genTime with the time-stamping EKU.
///  - legacy PKCS#9 countersignature (1.2.840.113549.1.9.6, what `signtool /t` writes): a
///    SignerInfo over the signer's signature value; checked with check_signer_info()
///    (pkcs7_signer.hpp), its signingTime, and the countersigner's chain (certificates from the
///    outer SignedData) at that time with the time-stamping EKU.
/// The first timestamp that verifies is used. One later than VerifyContext::now_unix proves
/// nothing and is treated as failed.

#include <openssl/pkcs7.h>

#include <cstdint>

#include "verify/authenticode.hpp"

namespace trustscan::verify::detail {

/// Evaluates every timestamp of the SignerInfo `si` of the SignedData `p7` and records the
/// outcome in `info`:
///  - none present: nothing is changed; returns ctx.now_unix.
///  - one verifies: timestamp_kind, timestamp (ISO-8601), timestamp_authority are set,
///    verification_time_source = "timestamp"; returns the timestamp's time.
///  - a timestamp that verifies splits info.clock_window at its time (usable from then on).
///  - present but none verifies: the first one found is reported (kind, and time and authority
///    when they could be read), BadTimestamp is added with one error line per problem;
///    returns ctx.now_unix.
/// The caller validates the signer's chain at the returned time. Never throws on hostile input;
/// leaves OpenSSL's error queue empty.
[[nodiscard]] std::int64_t evaluate_timestamp(PKCS7* p7, PKCS7_SIGNER_INFO* si,
                                              const VerifyContext& ctx, Signature& info);

}  // namespace trustscan::verify::detail
