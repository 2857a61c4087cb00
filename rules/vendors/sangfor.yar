/*
 * Sangfor Technologies — vendor slug "sangfor"; jurisdiction: China.
 * Facts and sources: research/vendor-origins.md §1b#26 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule Sangfor_VersionInfo : version_info
{
    meta:
        vendor = "sangfor"
        description = "PE version resource of Sangfor Technologies: CompanyName Sangfor"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#26 [ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "Sangfor"
                (uint32(@company + 28) == 0x00610053 and uint32(@company + 32) == 0x0067006E and uint32(@company + 36) == 0x006F0066 and uint16(@company + 40) == 0x0072)
            ))
        )
}

rule Sangfor_DriverName : driver_name
{
    meta:
        vendor = "sangfor"
        description = "PE version resource OriginalFilename is a driver registered to Sangfor Technologies: sfavflt.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#26 [ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "sfavflt.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00660073 and (uint32(@ofn + 40) | 0x00200020) == 0x00760061 and (uint32(@ofn + 44) | 0x00200020) == 0x006C0066 and (uint32(@ofn + 48) | 0x00000020) == 0x002E0074 and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073)
        )
}
