/*
 * BI.ZONE (BiZone LLC) — vendor slug "bizone"; jurisdiction: Russia.
 * Facts and sources: research/vendor-origins.md §1a#6 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule BiZone_VersionInfo : version_info
{
    meta:
        vendor = "bi-zone"
        description = "PE version resource of BI.ZONE (BiZone LLC): CompanyName BiZone"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#6 [ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "BiZone"
                (uint32(@company + 28) == 0x00690042 and uint32(@company + 32) == 0x006F005A and uint32(@company + 36) == 0x0065006E)
            ))
        )
}

rule BiZone_DriverName : driver_name
{
    meta:
        vendor = "bi-zone"
        description = "PE version resource OriginalFilename is a driver registered to BI.ZONE (BiZone LLC): bzsenth.sys, bzsenyaradrv.sys, bzsenspdrv.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#6 [ALT,EDRSB]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "bzsenth.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x007A0062 and (uint32(@ofn + 40) | 0x00200020) == 0x00650073 and (uint32(@ofn + 44) | 0x00200020) == 0x0074006E and (uint32(@ofn + 48) | 0x00000020) == 0x002E0068 and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "bzsenyaradrv.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x007A0062 and (uint32(@ofn + 40) | 0x00200020) == 0x00650073 and (uint32(@ofn + 44) | 0x00200020) == 0x0079006E and (uint32(@ofn + 48) | 0x00200020) == 0x00720061 and (uint32(@ofn + 52) | 0x00200020) == 0x00640061 and (uint32(@ofn + 56) | 0x00200020) == 0x00760072 and (uint32(@ofn + 60) | 0x00200000) == 0x0073002E and (uint32(@ofn + 64) | 0x00200020) == 0x00730079 and uint16(@ofn + 68) == 0x0000) or
            // OriginalFilename is "bzsenspdrv.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x007A0062 and (uint32(@ofn + 40) | 0x00200020) == 0x00650073 and (uint32(@ofn + 44) | 0x00200020) == 0x0073006E and (uint32(@ofn + 48) | 0x00200020) == 0x00640070 and (uint32(@ofn + 52) | 0x00200020) == 0x00760072 and (uint32(@ofn + 56) | 0x00200000) == 0x0073002E and (uint32(@ofn + 60) | 0x00200020) == 0x00730079 and uint16(@ofn + 64) == 0x0000)
        )
}
