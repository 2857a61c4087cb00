/*
 * InfoWatch — vendor slug "infowatch"; jurisdiction: Russia.
 * Facts and sources: research/vendor-origins.md §1a#4 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule InfoWatch_VersionInfo : version_info
{
    meta:
        vendor = "infowatch"
        description = "PE version resource of InfoWatch: CompanyName InfoWatch"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#4 [ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "InfoWatch"
                (uint32(@company + 28) == 0x006E0049 and uint32(@company + 32) == 0x006F0066 and uint32(@company + 36) == 0x00610057 and uint32(@company + 40) == 0x00630074 and uint16(@company + 44) == 0x0068)
            ))
        )
}

rule InfoWatch_DriverName : driver_name
{
    meta:
        vendor = "infowatch"
        description = "PE version resource OriginalFilename is a driver registered to InfoWatch: iwhlp2.sys, iwhlpxp.sys, iwhlp.sys, iwdmfs.sys, iwcseflt.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#4 [ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "iwhlp2.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00770069 and (uint32(@ofn + 40) | 0x00200020) == 0x006C0068 and (uint32(@ofn + 44) | 0x00000020) == 0x00320070 and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "iwhlpxp.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00770069 and (uint32(@ofn + 40) | 0x00200020) == 0x006C0068 and (uint32(@ofn + 44) | 0x00200020) == 0x00780070 and (uint32(@ofn + 48) | 0x00000020) == 0x002E0070 and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "iwhlp.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00770069 and (uint32(@ofn + 40) | 0x00200020) == 0x006C0068 and (uint32(@ofn + 44) | 0x00000020) == 0x002E0070 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "iwdmfs.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00770069 and (uint32(@ofn + 40) | 0x00200020) == 0x006D0064 and (uint32(@ofn + 44) | 0x00200020) == 0x00730066 and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "iwcseflt.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00770069 and (uint32(@ofn + 40) | 0x00200020) == 0x00730063 and (uint32(@ofn + 44) | 0x00200020) == 0x00660065 and (uint32(@ofn + 48) | 0x00200020) == 0x0074006C and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000)
        )
}
