/*
 * Anti-Cheat Expert (ACE) — vendor slug "anticheatexpert"; jurisdiction: Hong Kong / China.
 * Facts and sources: research/vendor-origins.md §1b#18 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule AntiCheatExpert_CertSubject : cert_subject
{
    meta:
        vendor = "anti-cheat-expert"
        description = "Certificate naming Anti-Cheat Expert (ACE) (DER-encoded X.509 CN or O attribute): HIGH MORALE DEVELOPMENTS LIMITED"
        confidence = "high"
        reference = "research/vendor-origins.md 1b#18 [LOL:ff77b58d,ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_AceBase.yar"
    strings:
        // CN= or O= "HIGH MORALE DEVELOPMENTS LIMITED"
        $name1 = { 06 03 55 04 (03|0A) (0C|13) 20 48 49 47 48 20 4D 4F 52 41 4C 45 20 44 45 56 45 4C 4F 50 4D 45 4E 54 53 20 4C 49 4D 49 54 45 44 }
    condition:
        any of them
}

rule AntiCheatExpert_VersionInfo : version_info
{
    meta:
        vendor = "anti-cheat-expert"
        description = "PE version resource of Anti-Cheat Expert (ACE): CompanyName ANTICHEATEXPERT.COM; ProductName/FileDescription Anti-Cheat Expert; ProductName/FileDescription ACE-BASE64 NT Driver; LegalCopyright contains AntiCheatExpert.com Limited"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#18, 3b [LOL:ff77b58d,ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_AceBase.yar"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
        $product = { 01 0? 50 00 72 00 6F 00 64 00 75 00 63 00 74 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "ProductName", NUL, pad
        $description = { 01 0? 46 00 69 00 6C 00 65 00 44 00 65 00 73 00 63 00 72 00 69 00 70 00 74 00 69 00 6F 00 6E 00 00 00 00 00 }  // wType=1, "FileDescription", NUL, pad
        $copyright = { 01 0? 4C 00 65 00 67 00 61 00 6C 00 43 00 6F 00 70 00 79 00 72 00 69 00 67 00 68 00 74 00 00 00 }  // wType=1, "LegalCopyright", NUL
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "ANTICHEATEXPERT.COM"
                (uint32(@company + 28) == 0x004E0041 and uint32(@company + 32) == 0x00490054 and uint32(@company + 36) == 0x00480043 and uint32(@company + 40) == 0x00410045 and uint32(@company + 44) == 0x00450054 and uint32(@company + 48) == 0x00500058 and uint32(@company + 52) == 0x00520045 and uint32(@company + 56) == 0x002E0054 and uint32(@company + 60) == 0x004F0043 and uint16(@company + 64) == 0x004D)
            )) or
            ($product and (
                // ProductName starts with "Anti-Cheat Expert"
                (uint32(@product + 28) == 0x006E0041 and uint32(@product + 32) == 0x00690074 and uint32(@product + 36) == 0x0043002D and uint32(@product + 40) == 0x00650068 and uint32(@product + 44) == 0x00740061 and uint32(@product + 48) == 0x00450020 and uint32(@product + 52) == 0x00700078 and uint32(@product + 56) == 0x00720065 and uint16(@product + 60) == 0x0074) or
                // ProductName starts with "ACE-BASE64 NT Driver"
                (uint32(@product + 28) == 0x00430041 and uint32(@product + 32) == 0x002D0045 and uint32(@product + 36) == 0x00410042 and uint32(@product + 40) == 0x00450053 and uint32(@product + 44) == 0x00340036 and uint32(@product + 48) == 0x004E0020 and uint32(@product + 52) == 0x00200054 and uint32(@product + 56) == 0x00720044 and uint32(@product + 60) == 0x00760069 and uint32(@product + 64) == 0x00720065)
            )) or
            ($description and (
                // FileDescription starts with "Anti-Cheat Expert"
                (uint32(@description + 36) == 0x006E0041 and uint32(@description + 40) == 0x00690074 and uint32(@description + 44) == 0x0043002D and uint32(@description + 48) == 0x00650068 and uint32(@description + 52) == 0x00740061 and uint32(@description + 56) == 0x00450020 and uint32(@description + 60) == 0x00700078 and uint32(@description + 64) == 0x00720065 and uint16(@description + 68) == 0x0074) or
                // FileDescription starts with "ACE-BASE64 NT Driver"
                (uint32(@description + 36) == 0x00430041 and uint32(@description + 40) == 0x002D0045 and uint32(@description + 44) == 0x00410042 and uint32(@description + 48) == 0x00450053 and uint32(@description + 52) == 0x00340036 and uint32(@description + 56) == 0x004E0020 and uint32(@description + 60) == 0x00200054 and uint32(@description + 64) == 0x00720044 and uint32(@description + 68) == 0x00760069 and uint32(@description + 72) == 0x00720065)
            )) or
            ($copyright and (
                // LegalCopyright contains "AntiCheatExpert.com Limited"
                (for any i in (0..63) : (uint32(@copyright + 2 * i + 32) == 0x006E0041 and uint32(@copyright + 2 * i + 36) == 0x00690074 and uint32(@copyright + 2 * i + 40) == 0x00680043 and uint32(@copyright + 2 * i + 44) == 0x00610065 and uint32(@copyright + 2 * i + 48) == 0x00450074 and uint32(@copyright + 2 * i + 52) == 0x00700078 and uint32(@copyright + 2 * i + 56) == 0x00720065 and uint32(@copyright + 2 * i + 60) == 0x002E0074 and uint32(@copyright + 2 * i + 64) == 0x006F0063 and uint32(@copyright + 2 * i + 68) == 0x0020006D and uint32(@copyright + 2 * i + 72) == 0x0069004C and uint32(@copyright + 2 * i + 76) == 0x0069006D and uint32(@copyright + 2 * i + 80) == 0x00650074 and uint16(@copyright + 2 * i + 84) == 0x0064))
            ))
        )
}

rule AntiCheatExpert_DriverName : driver_name
{
    meta:
        vendor = "anti-cheat-expert"
        description = "PE version resource OriginalFilename is a driver registered to Anti-Cheat Expert (ACE): ace-base.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#18 [LOL:ff77b58d]; https://github.com/magicsword-io/LOLDrivers/tree/5554706c8350a7b4a8631f05f490e563cd4b6e0a/yaml"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "ace-base.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00630061 and (uint32(@ofn + 40) | 0x00000020) == 0x002D0065 and (uint32(@ofn + 44) | 0x00200020) == 0x00610062 and (uint32(@ofn + 48) | 0x00200020) == 0x00650073 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000)
        )
}

rule AntiCheatExpert_PdbPath : pdb_path
{
    meta:
        vendor = "anti-cheat-expert"
        description = "CodeView debug path of a Anti-Cheat Expert (ACE) build: ACE-BASE.pdb"
        confidence = "medium"
        reference = "research/vendor-origins.md 3b [ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_AceBase.yar"
    strings:
        $pdb1 = "\\ACE-BASE.pdb\x00"
    condition:
        uint16(0) == 0x5A4D and any of them
}
