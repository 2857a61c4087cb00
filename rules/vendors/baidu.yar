/*
 * Baidu (Baidu Antivirus) — vendor slug "baidu"; jurisdiction: China.
 * Facts and sources: research/vendor-origins.md §1b#22 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule Baidu_CertSubject : cert_subject
{
    meta:
        vendor = "baidu"
        description = "Certificate naming Baidu (Baidu Antivirus) (DER-encoded X.509 CN or O attribute): Baidu Online Network Technology (Beijing)Co., Ltd; Baidu Online Network Technology (Beijing) Co.,Ltd."
        confidence = "high"
        reference = "research/vendor-origins.md 1b#22 [LOL:83b78b88,LOL:f8ed41ef,ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Baidu.yar"
    strings:
        // CN= or O= "Baidu Online Network Technology (Beijing)Co., Ltd"
        $name1 = { 06 03 55 04 (03|0A) (0C|13) 31 42 61 69 64 75 20 4F 6E 6C 69 6E 65 20 4E 65 74 77 6F 72 6B 20 54 65 63 68 6E 6F 6C 6F 67 79 20 28 42 65 69 6A 69 6E 67 29 43 6F 2E 2C 20 4C 74 64 }
        // CN= or O= "Baidu Online Network Technology (Beijing) Co.,Ltd."
        $name2 = { 06 03 55 04 (03|0A) (0C|13) 32 42 61 69 64 75 20 4F 6E 6C 69 6E 65 20 4E 65 74 77 6F 72 6B 20 54 65 63 68 6E 6F 6C 6F 67 79 20 28 42 65 69 6A 69 6E 67 29 20 43 6F 2E 2C 4C 74 64 2E }
    condition:
        any of them
}

rule Baidu_VersionInfo : version_info
{
    meta:
        vendor = "baidu"
        description = "PE version resource of Baidu (Baidu Antivirus): CompanyName Baidu Online Network; CompanyName Baidu (beijing); CompanyName Baidu (Hong Kong); ProductName/FileDescription Baidu Antivirus BdApi Driver"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#22, 3b [ALT,ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Baidu.yar"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
        $product = { 01 0? 50 00 72 00 6F 00 64 00 75 00 63 00 74 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "ProductName", NUL, pad
        $description = { 01 0? 46 00 69 00 6C 00 65 00 44 00 65 00 73 00 63 00 72 00 69 00 70 00 74 00 69 00 6F 00 6E 00 00 00 00 00 }  // wType=1, "FileDescription", NUL, pad
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "Baidu Online Network"
                (uint32(@company + 28) == 0x00610042 and uint32(@company + 32) == 0x00640069 and uint32(@company + 36) == 0x00200075 and uint32(@company + 40) == 0x006E004F and uint32(@company + 44) == 0x0069006C and uint32(@company + 48) == 0x0065006E and uint32(@company + 52) == 0x004E0020 and uint32(@company + 56) == 0x00740065 and uint32(@company + 60) == 0x006F0077 and uint32(@company + 64) == 0x006B0072) or
                // CompanyName starts with "Baidu (beijing)"
                (uint32(@company + 28) == 0x00610042 and uint32(@company + 32) == 0x00640069 and uint32(@company + 36) == 0x00200075 and uint32(@company + 40) == 0x00620028 and uint32(@company + 44) == 0x00690065 and uint32(@company + 48) == 0x0069006A and uint32(@company + 52) == 0x0067006E and uint16(@company + 56) == 0x0029) or
                // CompanyName starts with "Baidu (Hong Kong)"
                (uint32(@company + 28) == 0x00610042 and uint32(@company + 32) == 0x00640069 and uint32(@company + 36) == 0x00200075 and uint32(@company + 40) == 0x00480028 and uint32(@company + 44) == 0x006E006F and uint32(@company + 48) == 0x00200067 and uint32(@company + 52) == 0x006F004B and uint32(@company + 56) == 0x0067006E and uint16(@company + 60) == 0x0029)
            )) or
            ($product and (
                // ProductName starts with "Baidu Antivirus BdApi Driver"
                (uint32(@product + 28) == 0x00610042 and uint32(@product + 32) == 0x00640069 and uint32(@product + 36) == 0x00200075 and uint32(@product + 40) == 0x006E0041 and uint32(@product + 44) == 0x00690074 and uint32(@product + 48) == 0x00690076 and uint32(@product + 52) == 0x00750072 and uint32(@product + 56) == 0x00200073 and uint32(@product + 60) == 0x00640042 and uint32(@product + 64) == 0x00700041 and uint32(@product + 68) == 0x00200069 and uint32(@product + 72) == 0x00720044 and uint32(@product + 76) == 0x00760069 and uint32(@product + 80) == 0x00720065)
            )) or
            ($description and (
                // FileDescription starts with "Baidu Antivirus BdApi Driver"
                (uint32(@description + 36) == 0x00610042 and uint32(@description + 40) == 0x00640069 and uint32(@description + 44) == 0x00200075 and uint32(@description + 48) == 0x006E0041 and uint32(@description + 52) == 0x00690074 and uint32(@description + 56) == 0x00690076 and uint32(@description + 60) == 0x00750072 and uint32(@description + 64) == 0x00200073 and uint32(@description + 68) == 0x00640042 and uint32(@description + 72) == 0x00700041 and uint32(@description + 76) == 0x00200069 and uint32(@description + 80) == 0x00720044 and uint32(@description + 84) == 0x00760069 and uint32(@description + 88) == 0x00720065)
            ))
        )
}

rule Baidu_DriverName : driver_name
{
    meta:
        vendor = "baidu"
        description = "PE version resource OriginalFilename is a driver registered to Baidu (Baidu Antivirus): bdapiutil.sys, bdapiutil64.sys, bdfiledefend.sys, bdsdkit.sys, bd0003.sys, bdsysmon.sys, bdrdfolder.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#22 [LOL,ELA,ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "bdapiutil.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00640062 and (uint32(@ofn + 40) | 0x00200020) == 0x00700061 and (uint32(@ofn + 44) | 0x00200020) == 0x00750069 and (uint32(@ofn + 48) | 0x00200020) == 0x00690074 and (uint32(@ofn + 52) | 0x00000020) == 0x002E006C and (uint32(@ofn + 56) | 0x00200020) == 0x00790073 and (uint32(@ofn + 60) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "bdapiutil64.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00640062 and (uint32(@ofn + 40) | 0x00200020) == 0x00700061 and (uint32(@ofn + 44) | 0x00200020) == 0x00750069 and (uint32(@ofn + 48) | 0x00200020) == 0x00690074 and (uint32(@ofn + 52) | 0x00000020) == 0x0036006C and uint32(@ofn + 56) == 0x002E0034 and (uint32(@ofn + 60) | 0x00200020) == 0x00790073 and (uint32(@ofn + 64) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "bdfiledefend.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00640062 and (uint32(@ofn + 40) | 0x00200020) == 0x00690066 and (uint32(@ofn + 44) | 0x00200020) == 0x0065006C and (uint32(@ofn + 48) | 0x00200020) == 0x00650064 and (uint32(@ofn + 52) | 0x00200020) == 0x00650066 and (uint32(@ofn + 56) | 0x00200020) == 0x0064006E and (uint32(@ofn + 60) | 0x00200000) == 0x0073002E and (uint32(@ofn + 64) | 0x00200020) == 0x00730079 and uint16(@ofn + 68) == 0x0000) or
            // OriginalFilename is "bdsdkit.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00640062 and (uint32(@ofn + 40) | 0x00200020) == 0x00640073 and (uint32(@ofn + 44) | 0x00200020) == 0x0069006B and (uint32(@ofn + 48) | 0x00000020) == 0x002E0074 and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "bd0003.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00640062 and uint32(@ofn + 40) == 0x00300030 and uint32(@ofn + 44) == 0x00330030 and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "bdsysmon.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00640062 and (uint32(@ofn + 40) | 0x00200020) == 0x00790073 and (uint32(@ofn + 44) | 0x00200020) == 0x006D0073 and (uint32(@ofn + 48) | 0x00200020) == 0x006E006F and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "bdrdfolder.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00640062 and (uint32(@ofn + 40) | 0x00200020) == 0x00640072 and (uint32(@ofn + 44) | 0x00200020) == 0x006F0066 and (uint32(@ofn + 48) | 0x00200020) == 0x0064006C and (uint32(@ofn + 52) | 0x00200020) == 0x00720065 and (uint32(@ofn + 56) | 0x00200000) == 0x0073002E and (uint32(@ofn + 60) | 0x00200020) == 0x00730079 and uint16(@ofn + 64) == 0x0000)
        )
}

rule Baidu_PdbPath : pdb_path
{
    meta:
        vendor = "baidu"
        description = "CodeView debug path of a Baidu (Baidu Antivirus) build: BdApiUtil64.pdb"
        confidence = "medium"
        reference = "research/vendor-origins.md 3b [ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Baidu.yar"
    strings:
        $pdb1 = "\\BdApiUtil64.pdb\x00"
    condition:
        uint16(0) == 0x5A4D and any of them
}
