/*
 * Security Code (Secret Net Studio, Continent) — vendor slug "securitycode"; jurisdiction: Russia.
 * Facts and sources: research/vendor-origins.md §1a#9 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule SecurityCode_VersionInfo : version_info
{
    meta:
        vendor = "security-code"
        description = "PE version resource of Security Code (Secret Net Studio, Continent): CompanyName Security Code LLC"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#9 [ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "Security Code LLC"
                (uint32(@company + 28) == 0x00650053 and uint32(@company + 32) == 0x00750063 and uint32(@company + 36) == 0x00690072 and uint32(@company + 40) == 0x00790074 and uint32(@company + 44) == 0x00430020 and uint32(@company + 48) == 0x0064006F and uint32(@company + 52) == 0x00200065 and uint32(@company + 56) == 0x004C004C and uint16(@company + 60) == 0x0043)
            ))
        )
}

rule SecurityCode_DriverName : driver_name
{
    meta:
        vendor = "security-code"
        description = "PE version resource OriginalFilename is a driver registered to Security Code (Secret Net Studio, Continent): scauthfsflt.sys, scauthiodrv.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#9 [ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "scauthfsflt.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00630073 and (uint32(@ofn + 40) | 0x00200020) == 0x00750061 and (uint32(@ofn + 44) | 0x00200020) == 0x00680074 and (uint32(@ofn + 48) | 0x00200020) == 0x00730066 and (uint32(@ofn + 52) | 0x00200020) == 0x006C0066 and (uint32(@ofn + 56) | 0x00000020) == 0x002E0074 and (uint32(@ofn + 60) | 0x00200020) == 0x00790073 and (uint32(@ofn + 64) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "scauthiodrv.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00630073 and (uint32(@ofn + 40) | 0x00200020) == 0x00750061 and (uint32(@ofn + 44) | 0x00200020) == 0x00680074 and (uint32(@ofn + 48) | 0x00200020) == 0x006F0069 and (uint32(@ofn + 52) | 0x00200020) == 0x00720064 and (uint32(@ofn + 56) | 0x00000020) == 0x002E0076 and (uint32(@ofn + 60) | 0x00200020) == 0x00790073 and (uint32(@ofn + 64) | 0x00000020) == 0x00000073)
        )
}
