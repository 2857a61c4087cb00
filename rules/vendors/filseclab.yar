/*
 * Filseclab — vendor slug "filseclab"; jurisdiction: China.
 * Facts and sources: research/vendor-origins.md §1b#25 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule Filseclab_CertSubject : cert_subject
{
    meta:
        vendor = "filseclab"
        description = "Certificate naming Filseclab (DER-encoded X.509 CN or O attribute): Filseclab Corporation"
        confidence = "high"
        reference = "research/vendor-origins.md 1b#25 [LOL:9d4358c3]; https://github.com/magicsword-io/LOLDrivers/tree/5554706c8350a7b4a8631f05f490e563cd4b6e0a/yaml"
    strings:
        // CN= or O= "Filseclab Corporation"
        $name1 = { 06 03 55 04 (03|0A) (0C|13) 15 46 69 6C 73 65 63 6C 61 62 20 43 6F 72 70 6F 72 61 74 69 6F 6E }
    condition:
        any of them
}

rule Filseclab_DriverName : driver_name
{
    meta:
        vendor = "filseclab"
        description = "PE version resource OriginalFilename is a driver registered to Filseclab: fildds.sys, filnk.sys, filwfp.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#25 [LOL,ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "fildds.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00690066 and (uint32(@ofn + 40) | 0x00200020) == 0x0064006C and (uint32(@ofn + 44) | 0x00200020) == 0x00730064 and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "filnk.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00690066 and (uint32(@ofn + 40) | 0x00200020) == 0x006E006C and (uint32(@ofn + 44) | 0x00000020) == 0x002E006B and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "filwfp.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00690066 and (uint32(@ofn + 40) | 0x00200020) == 0x0077006C and (uint32(@ofn + 44) | 0x00200020) == 0x00700066 and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000)
        )
}
