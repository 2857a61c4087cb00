/*
 * Antiy Labs — vendor slug "antiy"; jurisdiction: China.
 * Facts and sources: research/vendor-origins.md §1b#24 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule Antiy_CertSubject : cert_subject
{
    meta:
        vendor = "antiy"
        description = "Certificate naming Antiy Labs (DER-encoded X.509 CN or O attribute): Antiy Labs"
        confidence = "high"
        reference = "research/vendor-origins.md 1b#24 [MSBL,ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Antiy.yar"
    strings:
        // CN= or O= "Antiy Labs"
        $name1 = { 06 03 55 04 (03|0A) (0C|13) 0A 41 6E 74 69 79 20 4C 61 62 73 }
    condition:
        any of them
}

rule Antiy_DriverName : driver_name
{
    meta:
        vendor = "antiy"
        description = "PE version resource OriginalFilename is a driver registered to Antiy Labs: atoolskrnl64.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#24 [ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Antiy.yar"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "atoolskrnl64.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00740061 and (uint32(@ofn + 40) | 0x00200020) == 0x006F006F and (uint32(@ofn + 44) | 0x00200020) == 0x0073006C and (uint32(@ofn + 48) | 0x00200020) == 0x0072006B and (uint32(@ofn + 52) | 0x00200020) == 0x006C006E and uint32(@ofn + 56) == 0x00340036 and (uint32(@ofn + 60) | 0x00200000) == 0x0073002E and (uint32(@ofn + 64) | 0x00200020) == 0x00730079 and uint16(@ofn + 68) == 0x0000)
        )
}

rule Antiy_DriverNameIndicative : driver_name
{
    meta:
        vendor = "antiy"
        description = "PE version resource OriginalFilename is a driver registered to Antiy Labs: ahipsfilter.sys, ahipsfilter64.sys, ahipsxp.sys, ahipsxp64.sys, antiyusb.sys, antiyusb64.sys, atauxiliary.sys, atauxiliary64.sys (names from a third-party driver list (CNLIST), indicative only)"
        confidence = "low"
        reference = "research/vendor-origins.md 1b#24 [CNLIST]"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "ahipsfilter.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00680061 and (uint32(@ofn + 40) | 0x00200020) == 0x00700069 and (uint32(@ofn + 44) | 0x00200020) == 0x00660073 and (uint32(@ofn + 48) | 0x00200020) == 0x006C0069 and (uint32(@ofn + 52) | 0x00200020) == 0x00650074 and (uint32(@ofn + 56) | 0x00000020) == 0x002E0072 and (uint32(@ofn + 60) | 0x00200020) == 0x00790073 and (uint32(@ofn + 64) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "ahipsfilter64.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00680061 and (uint32(@ofn + 40) | 0x00200020) == 0x00700069 and (uint32(@ofn + 44) | 0x00200020) == 0x00660073 and (uint32(@ofn + 48) | 0x00200020) == 0x006C0069 and (uint32(@ofn + 52) | 0x00200020) == 0x00650074 and (uint32(@ofn + 56) | 0x00000020) == 0x00360072 and uint32(@ofn + 60) == 0x002E0034 and (uint32(@ofn + 64) | 0x00200020) == 0x00790073 and (uint32(@ofn + 68) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "ahipsxp.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00680061 and (uint32(@ofn + 40) | 0x00200020) == 0x00700069 and (uint32(@ofn + 44) | 0x00200020) == 0x00780073 and (uint32(@ofn + 48) | 0x00000020) == 0x002E0070 and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "ahipsxp64.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00680061 and (uint32(@ofn + 40) | 0x00200020) == 0x00700069 and (uint32(@ofn + 44) | 0x00200020) == 0x00780073 and (uint32(@ofn + 48) | 0x00000020) == 0x00360070 and uint32(@ofn + 52) == 0x002E0034 and (uint32(@ofn + 56) | 0x00200020) == 0x00790073 and (uint32(@ofn + 60) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "antiyusb.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006E0061 and (uint32(@ofn + 40) | 0x00200020) == 0x00690074 and (uint32(@ofn + 44) | 0x00200020) == 0x00750079 and (uint32(@ofn + 48) | 0x00200020) == 0x00620073 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "antiyusb64.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006E0061 and (uint32(@ofn + 40) | 0x00200020) == 0x00690074 and (uint32(@ofn + 44) | 0x00200020) == 0x00750079 and (uint32(@ofn + 48) | 0x00200020) == 0x00620073 and uint32(@ofn + 52) == 0x00340036 and (uint32(@ofn + 56) | 0x00200000) == 0x0073002E and (uint32(@ofn + 60) | 0x00200020) == 0x00730079 and uint16(@ofn + 64) == 0x0000) or
            // OriginalFilename is "atauxiliary.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00740061 and (uint32(@ofn + 40) | 0x00200020) == 0x00750061 and (uint32(@ofn + 44) | 0x00200020) == 0x00690078 and (uint32(@ofn + 48) | 0x00200020) == 0x0069006C and (uint32(@ofn + 52) | 0x00200020) == 0x00720061 and (uint32(@ofn + 56) | 0x00000020) == 0x002E0079 and (uint32(@ofn + 60) | 0x00200020) == 0x00790073 and (uint32(@ofn + 64) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "atauxiliary64.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00740061 and (uint32(@ofn + 40) | 0x00200020) == 0x00750061 and (uint32(@ofn + 44) | 0x00200020) == 0x00690078 and (uint32(@ofn + 48) | 0x00200020) == 0x0069006C and (uint32(@ofn + 52) | 0x00200020) == 0x00720061 and (uint32(@ofn + 56) | 0x00000020) == 0x00360079 and uint32(@ofn + 60) == 0x002E0034 and (uint32(@ofn + 64) | 0x00200020) == 0x00790073 and (uint32(@ofn + 68) | 0x00000020) == 0x00000073)
        )
}

rule Antiy_PdbPath : pdb_path
{
    meta:
        vendor = "antiy"
        description = "CodeView debug path of a Antiy Labs build: AToolsKrnl64.pdb"
        confidence = "medium"
        reference = "research/vendor-origins.md 3b [ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Antiy.yar"
    strings:
        $pdb1 = "\\AToolsKrnl64.pdb\x00"
    condition:
        uint16(0) == 0x5A4D and any of them
}
