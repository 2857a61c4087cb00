/*
 * Huorong (Beijing Huorong Network Technology) — vendor slug "huorong"; jurisdiction: China.
 * Facts and sources: research/vendor-origins.md §1b#21 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule Huorong_VersionInfo : version_info
{
    meta:
        vendor = "huorong"
        description = "PE version resource of Huorong (Beijing Huorong Network Technology): CompanyName Beijing Huorong Network Technology; CompanyName Huorong Security; CompanyName HeroBravo Technology; ProductName/FileDescription Huorong eXtendible Stream Scan Engine; ProductName/FileDescription Huorong Internet Security Core Kext; LegalCopyright contains Huorong Security Lab"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#21 [LOL:6f1d7635,ELA,ALT]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Nxeng.yar; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_HrSword.yar"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
        $product = { 01 0? 50 00 72 00 6F 00 64 00 75 00 63 00 74 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "ProductName", NUL, pad
        $description = { 01 0? 46 00 69 00 6C 00 65 00 44 00 65 00 73 00 63 00 72 00 69 00 70 00 74 00 69 00 6F 00 6E 00 00 00 00 00 }  // wType=1, "FileDescription", NUL, pad
        $copyright = { 01 0? 4C 00 65 00 67 00 61 00 6C 00 43 00 6F 00 70 00 79 00 72 00 69 00 67 00 68 00 74 00 00 00 }  // wType=1, "LegalCopyright", NUL
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "Beijing Huorong Network Technology"
                (uint32(@company + 28) == 0x00650042 and uint32(@company + 32) == 0x006A0069 and uint32(@company + 36) == 0x006E0069 and uint32(@company + 40) == 0x00200067 and uint32(@company + 44) == 0x00750048 and uint32(@company + 48) == 0x0072006F and uint32(@company + 52) == 0x006E006F and uint32(@company + 56) == 0x00200067 and uint32(@company + 60) == 0x0065004E and uint32(@company + 64) == 0x00770074 and uint32(@company + 68) == 0x0072006F and uint32(@company + 72) == 0x0020006B and uint32(@company + 76) == 0x00650054 and uint32(@company + 80) == 0x00680063 and uint32(@company + 84) == 0x006F006E and uint32(@company + 88) == 0x006F006C and uint32(@company + 92) == 0x00790067) or
                // CompanyName starts with "Huorong Security"
                (uint32(@company + 28) == 0x00750048 and uint32(@company + 32) == 0x0072006F and uint32(@company + 36) == 0x006E006F and uint32(@company + 40) == 0x00200067 and uint32(@company + 44) == 0x00650053 and uint32(@company + 48) == 0x00750063 and uint32(@company + 52) == 0x00690072 and uint32(@company + 56) == 0x00790074) or
                // CompanyName starts with "HeroBravo Technology"
                (uint32(@company + 28) == 0x00650048 and uint32(@company + 32) == 0x006F0072 and uint32(@company + 36) == 0x00720042 and uint32(@company + 40) == 0x00760061 and uint32(@company + 44) == 0x0020006F and uint32(@company + 48) == 0x00650054 and uint32(@company + 52) == 0x00680063 and uint32(@company + 56) == 0x006F006E and uint32(@company + 60) == 0x006F006C and uint32(@company + 64) == 0x00790067)
            )) or
            ($product and (
                // ProductName starts with "Huorong eXtendible Stream Scan Engine"
                (uint32(@product + 28) == 0x00750048 and uint32(@product + 32) == 0x0072006F and uint32(@product + 36) == 0x006E006F and uint32(@product + 40) == 0x00200067 and uint32(@product + 44) == 0x00580065 and uint32(@product + 48) == 0x00650074 and uint32(@product + 52) == 0x0064006E and uint32(@product + 56) == 0x00620069 and uint32(@product + 60) == 0x0065006C and uint32(@product + 64) == 0x00530020 and uint32(@product + 68) == 0x00720074 and uint32(@product + 72) == 0x00610065 and uint32(@product + 76) == 0x0020006D and uint32(@product + 80) == 0x00630053 and uint32(@product + 84) == 0x006E0061 and uint32(@product + 88) == 0x00450020 and uint32(@product + 92) == 0x0067006E and uint32(@product + 96) == 0x006E0069 and uint16(@product + 100) == 0x0065) or
                // ProductName starts with "Huorong Internet Security Core Kext"
                (uint32(@product + 28) == 0x00750048 and uint32(@product + 32) == 0x0072006F and uint32(@product + 36) == 0x006E006F and uint32(@product + 40) == 0x00200067 and uint32(@product + 44) == 0x006E0049 and uint32(@product + 48) == 0x00650074 and uint32(@product + 52) == 0x006E0072 and uint32(@product + 56) == 0x00740065 and uint32(@product + 60) == 0x00530020 and uint32(@product + 64) == 0x00630065 and uint32(@product + 68) == 0x00720075 and uint32(@product + 72) == 0x00740069 and uint32(@product + 76) == 0x00200079 and uint32(@product + 80) == 0x006F0043 and uint32(@product + 84) == 0x00650072 and uint32(@product + 88) == 0x004B0020 and uint32(@product + 92) == 0x00780065 and uint16(@product + 96) == 0x0074)
            )) or
            ($description and (
                // FileDescription starts with "Huorong eXtendible Stream Scan Engine"
                (uint32(@description + 36) == 0x00750048 and uint32(@description + 40) == 0x0072006F and uint32(@description + 44) == 0x006E006F and uint32(@description + 48) == 0x00200067 and uint32(@description + 52) == 0x00580065 and uint32(@description + 56) == 0x00650074 and uint32(@description + 60) == 0x0064006E and uint32(@description + 64) == 0x00620069 and uint32(@description + 68) == 0x0065006C and uint32(@description + 72) == 0x00530020 and uint32(@description + 76) == 0x00720074 and uint32(@description + 80) == 0x00610065 and uint32(@description + 84) == 0x0020006D and uint32(@description + 88) == 0x00630053 and uint32(@description + 92) == 0x006E0061 and uint32(@description + 96) == 0x00450020 and uint32(@description + 100) == 0x0067006E and uint32(@description + 104) == 0x006E0069 and uint16(@description + 108) == 0x0065) or
                // FileDescription starts with "Huorong Internet Security Core Kext"
                (uint32(@description + 36) == 0x00750048 and uint32(@description + 40) == 0x0072006F and uint32(@description + 44) == 0x006E006F and uint32(@description + 48) == 0x00200067 and uint32(@description + 52) == 0x006E0049 and uint32(@description + 56) == 0x00650074 and uint32(@description + 60) == 0x006E0072 and uint32(@description + 64) == 0x00740065 and uint32(@description + 68) == 0x00530020 and uint32(@description + 72) == 0x00630065 and uint32(@description + 76) == 0x00720075 and uint32(@description + 80) == 0x00740069 and uint32(@description + 84) == 0x00200079 and uint32(@description + 88) == 0x006F0043 and uint32(@description + 92) == 0x00650072 and uint32(@description + 96) == 0x004B0020 and uint32(@description + 100) == 0x00780065 and uint16(@description + 104) == 0x0074)
            )) or
            ($copyright and (
                // LegalCopyright contains "Huorong Security Lab"
                (for any i in (0..63) : (uint32(@copyright + 2 * i + 32) == 0x00750048 and uint32(@copyright + 2 * i + 36) == 0x0072006F and uint32(@copyright + 2 * i + 40) == 0x006E006F and uint32(@copyright + 2 * i + 44) == 0x00200067 and uint32(@copyright + 2 * i + 48) == 0x00650053 and uint32(@copyright + 2 * i + 52) == 0x00750063 and uint32(@copyright + 2 * i + 56) == 0x00690072 and uint32(@copyright + 2 * i + 60) == 0x00790074 and uint32(@copyright + 2 * i + 64) == 0x004C0020 and uint32(@copyright + 2 * i + 68) == 0x00620061))
            ))
        )
}

rule Huorong_DriverName : driver_name
{
    meta:
        vendor = "huorong"
        description = "PE version resource OriginalFilename is a driver registered to Huorong (Beijing Huorong Network Technology): sysdiag.sys, sysdiag_win10.sys, nxeng.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#21 [ALT,LOL:6f1d7635]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "sysdiag.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00790073 and (uint32(@ofn + 40) | 0x00200020) == 0x00640073 and (uint32(@ofn + 44) | 0x00200020) == 0x00610069 and (uint32(@ofn + 48) | 0x00000020) == 0x002E0067 and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "sysdiag_win10.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00790073 and (uint32(@ofn + 40) | 0x00200020) == 0x00640073 and (uint32(@ofn + 44) | 0x00200020) == 0x00610069 and (uint32(@ofn + 48) | 0x00000020) == 0x005F0067 and (uint32(@ofn + 52) | 0x00200020) == 0x00690077 and (uint32(@ofn + 56) | 0x00000020) == 0x0031006E and uint32(@ofn + 60) == 0x002E0030 and (uint32(@ofn + 64) | 0x00200020) == 0x00790073 and (uint32(@ofn + 68) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "nxeng.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x0078006E and (uint32(@ofn + 40) | 0x00200020) == 0x006E0065 and (uint32(@ofn + 44) | 0x00000020) == 0x002E0067 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073)
        )
}
