/*
 * Crypto-Pro — vendor slug "cryptopro"; jurisdiction: Russia.
 * Facts and sources: research/vendor-origins.md §1a#11 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule CryptoPro_VersionInfo : version_info
{
    meta:
        vendor = "crypto-pro"
        description = "PE version resource of Crypto-Pro: CompanyName Crypto-Pro"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#11 [ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "Crypto-Pro"
                (uint32(@company + 28) == 0x00720043 and uint32(@company + 32) == 0x00700079 and uint32(@company + 36) == 0x006F0074 and uint32(@company + 40) == 0x0050002D and uint32(@company + 44) == 0x006F0072)
            ))
        )
}

rule CryptoPro_DriverName : driver_name
{
    meta:
        vendor = "crypto-pro"
        description = "PE version resource OriginalFilename is a driver registered to Crypto-Pro: cpefs.sys, cproctrl.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#11 [ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "cpefs.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00700063 and (uint32(@ofn + 40) | 0x00200020) == 0x00660065 and (uint32(@ofn + 44) | 0x00000020) == 0x002E0073 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "cproctrl.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00700063 and (uint32(@ofn + 40) | 0x00200020) == 0x006F0072 and (uint32(@ofn + 44) | 0x00200020) == 0x00740063 and (uint32(@ofn + 48) | 0x00200020) == 0x006C0072 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000)
        )
}
