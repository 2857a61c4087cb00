/*
 * Qi-AnXin (QAX) — vendor slug "qianxin"; jurisdiction: China.
 * Facts and sources: research/vendor-origins.md §1b#16 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule QiAnXin_VersionInfo : version_info
{
    meta:
        vendor = "qi-anxin"
        description = "PE version resource of Qi-AnXin (QAX): CompanyName Beijing QiAnXin"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#16 [ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "Beijing QiAnXin"
                (uint32(@company + 28) == 0x00650042 and uint32(@company + 32) == 0x006A0069 and uint32(@company + 36) == 0x006E0069 and uint32(@company + 40) == 0x00200067 and uint32(@company + 44) == 0x00690051 and uint32(@company + 48) == 0x006E0041 and uint32(@company + 52) == 0x00690058 and uint16(@company + 56) == 0x006E)
            ))
        )
}

rule QiAnXin_DriverName : driver_name
{
    meta:
        vendor = "qi-anxin"
        description = "PE version resource OriginalFilename is a driver registered to Qi-AnXin (QAX): qminspec.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#16 [ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "qminspec.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006D0071 and (uint32(@ofn + 40) | 0x00200020) == 0x006E0069 and (uint32(@ofn + 44) | 0x00200020) == 0x00700073 and (uint32(@ofn + 48) | 0x00200020) == 0x00630065 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000)
        )
}

rule QiAnXin_DriverNameIndicative : driver_name
{
    meta:
        vendor = "qi-anxin"
        description = "PE version resource OriginalFilename is a driver registered to Qi-AnXin (QAX): qaxnfdrv.sys, qkbasechain64.sys, qknetfilter.sys, qksecureio.sys, qesengex.sys, qkhelp64.sys (names from a third-party driver list (CNLIST), indicative only)"
        confidence = "low"
        reference = "research/vendor-origins.md 1b#16 [CNLIST]"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "qaxnfdrv.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00610071 and (uint32(@ofn + 40) | 0x00200020) == 0x006E0078 and (uint32(@ofn + 44) | 0x00200020) == 0x00640066 and (uint32(@ofn + 48) | 0x00200020) == 0x00760072 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "qkbasechain64.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006B0071 and (uint32(@ofn + 40) | 0x00200020) == 0x00610062 and (uint32(@ofn + 44) | 0x00200020) == 0x00650073 and (uint32(@ofn + 48) | 0x00200020) == 0x00680063 and (uint32(@ofn + 52) | 0x00200020) == 0x00690061 and (uint32(@ofn + 56) | 0x00000020) == 0x0036006E and uint32(@ofn + 60) == 0x002E0034 and (uint32(@ofn + 64) | 0x00200020) == 0x00790073 and (uint32(@ofn + 68) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "qknetfilter.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006B0071 and (uint32(@ofn + 40) | 0x00200020) == 0x0065006E and (uint32(@ofn + 44) | 0x00200020) == 0x00660074 and (uint32(@ofn + 48) | 0x00200020) == 0x006C0069 and (uint32(@ofn + 52) | 0x00200020) == 0x00650074 and (uint32(@ofn + 56) | 0x00000020) == 0x002E0072 and (uint32(@ofn + 60) | 0x00200020) == 0x00790073 and (uint32(@ofn + 64) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "qksecureio.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006B0071 and (uint32(@ofn + 40) | 0x00200020) == 0x00650073 and (uint32(@ofn + 44) | 0x00200020) == 0x00750063 and (uint32(@ofn + 48) | 0x00200020) == 0x00650072 and (uint32(@ofn + 52) | 0x00200020) == 0x006F0069 and (uint32(@ofn + 56) | 0x00200000) == 0x0073002E and (uint32(@ofn + 60) | 0x00200020) == 0x00730079 and uint16(@ofn + 64) == 0x0000) or
            // OriginalFilename is "qesengex.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00650071 and (uint32(@ofn + 40) | 0x00200020) == 0x00650073 and (uint32(@ofn + 44) | 0x00200020) == 0x0067006E and (uint32(@ofn + 48) | 0x00200020) == 0x00780065 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "qkhelp64.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006B0071 and (uint32(@ofn + 40) | 0x00200020) == 0x00650068 and (uint32(@ofn + 44) | 0x00200020) == 0x0070006C and uint32(@ofn + 48) == 0x00340036 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000)
        )
}
