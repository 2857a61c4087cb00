/*
 * Informzaschita (Secret Net) — vendor slug "informzaschita"; jurisdiction: Russia.
 * Facts and sources: research/vendor-origins.md §1a#10 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule Informzaschita_VersionInfo : version_info
{
    meta:
        vendor = "informzaschita"
        description = "PE version resource of Informzaschita (Secret Net): CompanyName Informzaschita"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#10 [ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "Informzaschita"
                (uint32(@company + 28) == 0x006E0049 and uint32(@company + 32) == 0x006F0066 and uint32(@company + 36) == 0x006D0072 and uint32(@company + 40) == 0x0061007A and uint32(@company + 44) == 0x00630073 and uint32(@company + 48) == 0x00690068 and uint32(@company + 52) == 0x00610074)
            ))
        )
}

rule Informzaschita_DriverName : driver_name
{
    meta:
        vendor = "informzaschita"
        description = "PE version resource OriginalFilename is a driver registered to Informzaschita (Secret Net): sndacs.sys, snexequota.sys, snefs.sys, snmc5xx.sys, sneraser.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#10 [ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "sndacs.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006E0073 and (uint32(@ofn + 40) | 0x00200020) == 0x00610064 and (uint32(@ofn + 44) | 0x00200020) == 0x00730063 and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "snexequota.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006E0073 and (uint32(@ofn + 40) | 0x00200020) == 0x00780065 and (uint32(@ofn + 44) | 0x00200020) == 0x00710065 and (uint32(@ofn + 48) | 0x00200020) == 0x006F0075 and (uint32(@ofn + 52) | 0x00200020) == 0x00610074 and (uint32(@ofn + 56) | 0x00200000) == 0x0073002E and (uint32(@ofn + 60) | 0x00200020) == 0x00730079 and uint16(@ofn + 64) == 0x0000) or
            // OriginalFilename is "snefs.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006E0073 and (uint32(@ofn + 40) | 0x00200020) == 0x00660065 and (uint32(@ofn + 44) | 0x00000020) == 0x002E0073 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "snmc5xx.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006E0073 and (uint32(@ofn + 40) | 0x00200020) == 0x0063006D and (uint32(@ofn + 44) | 0x00200000) == 0x00780035 and (uint32(@ofn + 48) | 0x00000020) == 0x002E0078 and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "sneraser.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006E0073 and (uint32(@ofn + 40) | 0x00200020) == 0x00720065 and (uint32(@ofn + 44) | 0x00200020) == 0x00730061 and (uint32(@ofn + 48) | 0x00200020) == 0x00720065 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000)
        )
}
