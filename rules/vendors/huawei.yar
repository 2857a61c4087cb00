/*
 * Huawei — vendor slug "huawei"; jurisdiction: China.
 * Facts and sources: research/vendor-origins.md §1b#27 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule Huawei_CertSubject : cert_subject
{
    meta:
        vendor = "huawei"
        description = "Certificate naming Huawei (DER-encoded X.509 CN or O attribute): Huawei Technologies Co.,Ltd.; Huawei Technologies Co., Ltd.; Huawei Device Co., Ltd."
        confidence = "high"
        reference = "research/vendor-origins.md 1b#27 [LOL:268e87ba,LOL:3ab0d182,LOL:2c7d54ff]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Huawei.yar"
    strings:
        // CN= or O= "Huawei Technologies Co.,Ltd."
        $name1 = { 06 03 55 04 (03|0A) (0C|13) 1C 48 75 61 77 65 69 20 54 65 63 68 6E 6F 6C 6F 67 69 65 73 20 43 6F 2E 2C 4C 74 64 2E }
        // CN= or O= "Huawei Technologies Co., Ltd."
        $name2 = { 06 03 55 04 (03|0A) (0C|13) 1D 48 75 61 77 65 69 20 54 65 63 68 6E 6F 6C 6F 67 69 65 73 20 43 6F 2E 2C 20 4C 74 64 2E }
        // CN= or O= "Huawei Device Co., Ltd."
        $name3 = { 06 03 55 04 (03|0A) (0C|13) 17 48 75 61 77 65 69 20 44 65 76 69 63 65 20 43 6F 2E 2C 20 4C 74 64 2E }
    condition:
        any of them
}

rule Huawei_DriverName : driver_name
{
    meta:
        vendor = "huawei"
        description = "PE version resource OriginalFilename is a driver registered to Huawei: hwos2ec.sys, hwauidoos2ec.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#27 [LOL]; https://github.com/magicsword-io/LOLDrivers/tree/5554706c8350a7b4a8631f05f490e563cd4b6e0a/yaml"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "hwos2ec.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00770068 and (uint32(@ofn + 40) | 0x00200020) == 0x0073006F and (uint32(@ofn + 44) | 0x00200000) == 0x00650032 and (uint32(@ofn + 48) | 0x00000020) == 0x002E0063 and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "hwauidoos2ec.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00770068 and (uint32(@ofn + 40) | 0x00200020) == 0x00750061 and (uint32(@ofn + 44) | 0x00200020) == 0x00640069 and (uint32(@ofn + 48) | 0x00200020) == 0x006F006F and (uint32(@ofn + 52) | 0x00000020) == 0x00320073 and (uint32(@ofn + 56) | 0x00200020) == 0x00630065 and (uint32(@ofn + 60) | 0x00200000) == 0x0073002E and (uint32(@ofn + 64) | 0x00200020) == 0x00730079 and uint16(@ofn + 68) == 0x0000)
        )
}
