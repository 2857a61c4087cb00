/*
 * miHoYo / HoYoverse — vendor slug "mihoyo"; jurisdiction: China.
 * Facts and sources: research/vendor-origins.md §1b#31 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule MiHoYo_CertSubject : cert_subject
{
    meta:
        vendor = "mihoyo"
        description = "Certificate naming miHoYo / HoYoverse (DER-encoded X.509 CN or O attribute): miHoYo Co.,Ltd.; COGNOSPHERE PTE. LTD."
        confidence = "high"
        reference = "research/vendor-origins.md 1b#31 [LOL:57354c82,LOL:2aa003cd,FRST]; https://github.com/magicsword-io/LOLDrivers/tree/5554706c8350a7b4a8631f05f490e563cd4b6e0a/yaml"
    strings:
        // CN= or O= "miHoYo Co.,Ltd."
        $name1 = { 06 03 55 04 (03|0A) (0C|13) 0F 6D 69 48 6F 59 6F 20 43 6F 2E 2C 4C 74 64 2E }
        // CN= or O= "COGNOSPHERE PTE. LTD."
        $name2 = { 06 03 55 04 (03|0A) (0C|13) 15 43 4F 47 4E 4F 53 50 48 45 52 45 20 50 54 45 2E 20 4C 54 44 2E }
    condition:
        any of them
}

rule MiHoYo_DriverName : driver_name
{
    meta:
        vendor = "mihoyo"
        description = "PE version resource OriginalFilename is a driver registered to miHoYo / HoYoverse: mhyprot.sys, mhyprot2.sys, mhyprot3.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#31 [LOL]; https://github.com/magicsword-io/LOLDrivers/tree/5554706c8350a7b4a8631f05f490e563cd4b6e0a/yaml"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "mhyprot.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x0068006D and (uint32(@ofn + 40) | 0x00200020) == 0x00700079 and (uint32(@ofn + 44) | 0x00200020) == 0x006F0072 and (uint32(@ofn + 48) | 0x00000020) == 0x002E0074 and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "mhyprot2.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x0068006D and (uint32(@ofn + 40) | 0x00200020) == 0x00700079 and (uint32(@ofn + 44) | 0x00200020) == 0x006F0072 and (uint32(@ofn + 48) | 0x00000020) == 0x00320074 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "mhyprot3.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x0068006D and (uint32(@ofn + 40) | 0x00200020) == 0x00700079 and (uint32(@ofn + 44) | 0x00200020) == 0x006F0072 and (uint32(@ofn + 48) | 0x00000020) == 0x00330074 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000)
        )
}
