/*
 * NetEase — vendor slug "netease"; jurisdiction: China.
 * Facts and sources: research/vendor-origins.md §1b#30 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule NetEase_CertSubject : cert_subject
{
    meta:
        vendor = "netease"
        description = "Certificate naming NetEase (DER-encoded X.509 CN or O attribute): NetEase(Hangzhou) Network Co. Ltd."
        confidence = "high"
        reference = "research/vendor-origins.md 1b#30 [LOL:7bb5ff05,ELA]; https://github.com/magicsword-io/LOLDrivers/tree/5554706c8350a7b4a8631f05f490e563cd4b6e0a/yaml"
    strings:
        // CN= or O= "NetEase(Hangzhou) Network Co. Ltd."
        $name1 = { 06 03 55 04 (03|0A) (0C|13) 22 4E 65 74 45 61 73 65 28 48 61 6E 67 7A 68 6F 75 29 20 4E 65 74 77 6F 72 6B 20 43 6F 2E 20 4C 74 64 2E }
    condition:
        any of them
}

rule NetEase_DriverName : driver_name
{
    meta:
        vendor = "netease"
        description = "PE version resource OriginalFilename is a driver registered to NetEase: neacsafe.sys, neacsafe64.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#30 [LOL:d474d8ad]; https://github.com/magicsword-io/LOLDrivers/tree/5554706c8350a7b4a8631f05f490e563cd4b6e0a/yaml"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "neacsafe.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x0065006E and (uint32(@ofn + 40) | 0x00200020) == 0x00630061 and (uint32(@ofn + 44) | 0x00200020) == 0x00610073 and (uint32(@ofn + 48) | 0x00200020) == 0x00650066 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "neacsafe64.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x0065006E and (uint32(@ofn + 40) | 0x00200020) == 0x00630061 and (uint32(@ofn + 44) | 0x00200020) == 0x00610073 and (uint32(@ofn + 48) | 0x00200020) == 0x00650066 and uint32(@ofn + 52) == 0x00340036 and (uint32(@ofn + 56) | 0x00200000) == 0x0073002E and (uint32(@ofn + 60) | 0x00200020) == 0x00730079 and uint16(@ofn + 64) == 0x0000)
        )
}
