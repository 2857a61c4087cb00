/*
 * Positive Technologies (JSC Positive Technologies) — vendor slug "positive_technologies"; jurisdiction: Russia.
 * Facts and sources: research/vendor-origins.md §1a#3 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule PositiveTechnologies_VersionInfo : version_info
{
    meta:
        vendor = "positive-technologies"
        description = "PE version resource of Positive Technologies (JSC Positive Technologies): CompanyName Positive Technologies; CompanyName JSC Positive Technologies"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#3 [ALT,OFAC SDN]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "Positive Technologies"
                (uint32(@company + 28) == 0x006F0050 and uint32(@company + 32) == 0x00690073 and uint32(@company + 36) == 0x00690074 and uint32(@company + 40) == 0x00650076 and uint32(@company + 44) == 0x00540020 and uint32(@company + 48) == 0x00630065 and uint32(@company + 52) == 0x006E0068 and uint32(@company + 56) == 0x006C006F and uint32(@company + 60) == 0x0067006F and uint32(@company + 64) == 0x00650069 and uint16(@company + 68) == 0x0073) or
                // CompanyName starts with "JSC Positive Technologies"
                (uint32(@company + 28) == 0x0053004A and uint32(@company + 32) == 0x00200043 and uint32(@company + 36) == 0x006F0050 and uint32(@company + 40) == 0x00690073 and uint32(@company + 44) == 0x00690074 and uint32(@company + 48) == 0x00650076 and uint32(@company + 52) == 0x00540020 and uint32(@company + 56) == 0x00630065 and uint32(@company + 60) == 0x006E0068 and uint32(@company + 64) == 0x006C006F and uint32(@company + 68) == 0x0067006F and uint32(@company + 72) == 0x00650069 and uint16(@company + 76) == 0x0073)
            ))
        )
}

rule PositiveTechnologies_DriverName : driver_name
{
    meta:
        vendor = "positive-technologies"
        description = "PE version resource OriginalFilename is a driver registered to Positive Technologies (JSC Positive Technologies): mpxmon.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#3 [ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "mpxmon.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x0070006D and (uint32(@ofn + 40) | 0x00200020) == 0x006D0078 and (uint32(@ofn + 44) | 0x00200020) == 0x006E006F and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000)
        )
}
