/*
 * Kingsoft / Cheetah Mobile (Kingsoft Antivirus) — vendor slug "kingsoft"; jurisdiction: China.
 * Facts and sources: research/vendor-origins.md §1b#20 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule Kingsoft_CertSubject : cert_subject
{
    meta:
        vendor = "kingsoft"
        description = "Certificate naming Kingsoft / Cheetah Mobile (Kingsoft Antivirus) (DER-encoded X.509 CN or O attribute): Beijing Kingsoft Security software Co.,Ltd; 北京金山安全软件有限公司"
        confidence = "high"
        reference = "research/vendor-origins.md 1b#20 [LOL:a6dd3aef,LOL:7f80bb6e,MSBL,ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Kingsoft.yar"
    strings:
        // CN= or O= "Beijing Kingsoft Security software Co.,Ltd"
        $name1 = { 06 03 55 04 (03|0A) (0C|13) 2A 42 65 69 6A 69 6E 67 20 4B 69 6E 67 73 6F 66 74 20 53 65 63 75 72 69 74 79 20 73 6F 66 74 77 61 72 65 20 43 6F 2E 2C 4C 74 64 }
        // CN= or O= "北京金山安全软件有限公司" (UTF8String)
        $name2 = { 06 03 55 04 (03|0A) 0C 24 E5 8C 97 E4 BA AC E9 87 91 E5 B1 B1 E5 AE 89 E5 85 A8 E8 BD AF E4 BB B6 E6 9C 89 E9 99 90 E5 85 AC E5 8F B8 }
    condition:
        any of them
}

rule Kingsoft_VersionInfo : version_info
{
    meta:
        vendor = "kingsoft"
        description = "PE version resource of Kingsoft / Cheetah Mobile (Kingsoft Antivirus): CompanyName Beijing Kingsoft; CompanyName Cheetah Mobile; ProductName/FileDescription Kingsoft Antivirus Security System; ProductName/FileDescription Kingsoft Internet Security"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#20, 3b [ALT,ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Kingsoft.yar"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
        $product = { 01 0? 50 00 72 00 6F 00 64 00 75 00 63 00 74 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "ProductName", NUL, pad
        $description = { 01 0? 46 00 69 00 6C 00 65 00 44 00 65 00 73 00 63 00 72 00 69 00 70 00 74 00 69 00 6F 00 6E 00 00 00 00 00 }  // wType=1, "FileDescription", NUL, pad
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "Beijing Kingsoft"
                (uint32(@company + 28) == 0x00650042 and uint32(@company + 32) == 0x006A0069 and uint32(@company + 36) == 0x006E0069 and uint32(@company + 40) == 0x00200067 and uint32(@company + 44) == 0x0069004B and uint32(@company + 48) == 0x0067006E and uint32(@company + 52) == 0x006F0073 and uint32(@company + 56) == 0x00740066) or
                // CompanyName starts with "Cheetah Mobile"
                (uint32(@company + 28) == 0x00680043 and uint32(@company + 32) == 0x00650065 and uint32(@company + 36) == 0x00610074 and uint32(@company + 40) == 0x00200068 and uint32(@company + 44) == 0x006F004D and uint32(@company + 48) == 0x00690062 and uint32(@company + 52) == 0x0065006C)
            )) or
            ($product and (
                // ProductName starts with "Kingsoft Antivirus Security System"
                (uint32(@product + 28) == 0x0069004B and uint32(@product + 32) == 0x0067006E and uint32(@product + 36) == 0x006F0073 and uint32(@product + 40) == 0x00740066 and uint32(@product + 44) == 0x00410020 and uint32(@product + 48) == 0x0074006E and uint32(@product + 52) == 0x00760069 and uint32(@product + 56) == 0x00720069 and uint32(@product + 60) == 0x00730075 and uint32(@product + 64) == 0x00530020 and uint32(@product + 68) == 0x00630065 and uint32(@product + 72) == 0x00720075 and uint32(@product + 76) == 0x00740069 and uint32(@product + 80) == 0x00200079 and uint32(@product + 84) == 0x00790053 and uint32(@product + 88) == 0x00740073 and uint32(@product + 92) == 0x006D0065) or
                // ProductName starts with "Kingsoft Internet Security"
                (uint32(@product + 28) == 0x0069004B and uint32(@product + 32) == 0x0067006E and uint32(@product + 36) == 0x006F0073 and uint32(@product + 40) == 0x00740066 and uint32(@product + 44) == 0x00490020 and uint32(@product + 48) == 0x0074006E and uint32(@product + 52) == 0x00720065 and uint32(@product + 56) == 0x0065006E and uint32(@product + 60) == 0x00200074 and uint32(@product + 64) == 0x00650053 and uint32(@product + 68) == 0x00750063 and uint32(@product + 72) == 0x00690072 and uint32(@product + 76) == 0x00790074)
            )) or
            ($description and (
                // FileDescription starts with "Kingsoft Antivirus Security System"
                (uint32(@description + 36) == 0x0069004B and uint32(@description + 40) == 0x0067006E and uint32(@description + 44) == 0x006F0073 and uint32(@description + 48) == 0x00740066 and uint32(@description + 52) == 0x00410020 and uint32(@description + 56) == 0x0074006E and uint32(@description + 60) == 0x00760069 and uint32(@description + 64) == 0x00720069 and uint32(@description + 68) == 0x00730075 and uint32(@description + 72) == 0x00530020 and uint32(@description + 76) == 0x00630065 and uint32(@description + 80) == 0x00720075 and uint32(@description + 84) == 0x00740069 and uint32(@description + 88) == 0x00200079 and uint32(@description + 92) == 0x00790053 and uint32(@description + 96) == 0x00740073 and uint32(@description + 100) == 0x006D0065) or
                // FileDescription starts with "Kingsoft Internet Security"
                (uint32(@description + 36) == 0x0069004B and uint32(@description + 40) == 0x0067006E and uint32(@description + 44) == 0x006F0073 and uint32(@description + 48) == 0x00740066 and uint32(@description + 52) == 0x00490020 and uint32(@description + 56) == 0x0074006E and uint32(@description + 60) == 0x00720065 and uint32(@description + 64) == 0x0065006E and uint32(@description + 68) == 0x00200074 and uint32(@description + 72) == 0x00650053 and uint32(@description + 76) == 0x00750063 and uint32(@description + 80) == 0x00690072 and uint32(@description + 84) == 0x00790074)
            ))
        )
}

rule Kingsoft_DriverName : driver_name
{
    meta:
        vendor = "kingsoft"
        description = "PE version resource OriginalFilename is a driver registered to Kingsoft / Cheetah Mobile (Kingsoft Antivirus): ksapi.sys, ksapi64.sys, ktdifilt.sys, kisknl.sys, ksfsflt.sys, dgsafe.sys, wdocsafe.sys, lbprotect.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#20 [LOL,ELA,ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "ksapi.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x0073006B and (uint32(@ofn + 40) | 0x00200020) == 0x00700061 and (uint32(@ofn + 44) | 0x00000020) == 0x002E0069 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "ksapi64.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x0073006B and (uint32(@ofn + 40) | 0x00200020) == 0x00700061 and (uint32(@ofn + 44) | 0x00000020) == 0x00360069 and uint32(@ofn + 48) == 0x002E0034 and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "ktdifilt.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x0074006B and (uint32(@ofn + 40) | 0x00200020) == 0x00690064 and (uint32(@ofn + 44) | 0x00200020) == 0x00690066 and (uint32(@ofn + 48) | 0x00200020) == 0x0074006C and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "kisknl.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x0069006B and (uint32(@ofn + 40) | 0x00200020) == 0x006B0073 and (uint32(@ofn + 44) | 0x00200020) == 0x006C006E and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "ksfsflt.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x0073006B and (uint32(@ofn + 40) | 0x00200020) == 0x00730066 and (uint32(@ofn + 44) | 0x00200020) == 0x006C0066 and (uint32(@ofn + 48) | 0x00000020) == 0x002E0074 and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "dgsafe.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00670064 and (uint32(@ofn + 40) | 0x00200020) == 0x00610073 and (uint32(@ofn + 44) | 0x00200020) == 0x00650066 and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "wdocsafe.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00640077 and (uint32(@ofn + 40) | 0x00200020) == 0x0063006F and (uint32(@ofn + 44) | 0x00200020) == 0x00610073 and (uint32(@ofn + 48) | 0x00200020) == 0x00650066 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "lbprotect.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x0062006C and (uint32(@ofn + 40) | 0x00200020) == 0x00720070 and (uint32(@ofn + 44) | 0x00200020) == 0x0074006F and (uint32(@ofn + 48) | 0x00200020) == 0x00630065 and (uint32(@ofn + 52) | 0x00000020) == 0x002E0074 and (uint32(@ofn + 56) | 0x00200020) == 0x00790073 and (uint32(@ofn + 60) | 0x00000020) == 0x00000073)
        )
}

rule Kingsoft_PdbPath : pdb_path
{
    meta:
        vendor = "kingsoft"
        description = "CodeView debug path of a Kingsoft / Cheetah Mobile (Kingsoft Antivirus) build: ksapi64.pdb, kdhacker64.pdb"
        confidence = "medium"
        reference = "research/vendor-origins.md 3b [ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Kingsoft.yar"
    strings:
        $pdb1 = "\\ksapi64.pdb\x00"
        $pdb2 = "\\kdhacker64.pdb\x00"
    condition:
        uint16(0) == 0x5A4D and any of them
}

// The gate of Kingsoft_EngineSdk, whose rule is in rules/gated/kingsoft.yar (docs/rules.md, "Gated
// rules"): every way that rule fires needs an API name, so its file-name strings, the costly part
// of it for libyara, are looked for only in the files where this gate matched.
rule Kingsoft_EngineSdk : gate
{
    strings:
        $api1 = "KSDllGetClassObject" ascii
        $api2 = "KSDllGetClassCount" ascii
        $api3 = "KSDllGetClassInfo" ascii
        $api4 = "KSDllCanUnloadNow" ascii
        $api5 = "ksafeInitialize" ascii
        $api6 = "ksafeScanFileW" ascii
        $api7 = "ksafeUninitialize" ascii
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and any of ($api*)
}
