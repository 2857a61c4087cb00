/*
 * Rising (Beijing Rising) — vendor slug "rising"; jurisdiction: China.
 * Facts and sources: research/vendor-origins.md §1b#23 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule Rising_CertSubject : cert_subject
{
    meta:
        vendor = "rising"
        description = "Certificate naming Rising (Beijing Rising) (DER-encoded X.509 CN or O attribute): Beijing Rising Network Security Technology Co., Ltd."
        confidence = "high"
        reference = "research/vendor-origins.md 1b#23 [LOL:d9a9fd72,ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Rising.yar"
    strings:
        // CN= or O= "Beijing Rising Network Security Technology Co., Ltd."
        $name1 = { 06 03 55 04 (03|0A) (0C|13) 34 42 65 69 6A 69 6E 67 20 52 69 73 69 6E 67 20 4E 65 74 77 6F 72 6B 20 53 65 63 75 72 69 74 79 20 54 65 63 68 6E 6F 6C 6F 67 79 20 43 6F 2E 2C 20 4C 74 64 2E }
    condition:
        any of them
}

rule Rising_VersionInfo : version_info
{
    meta:
        vendor = "rising"
        description = "PE version resource of Rising (Beijing Rising): CompanyName Beijing Rising; ProductName/FileDescription Rising AntiVirus"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#23, 3b [ALT,ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Rising.yar"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
        $product = { 01 0? 50 00 72 00 6F 00 64 00 75 00 63 00 74 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "ProductName", NUL, pad
        $description = { 01 0? 46 00 69 00 6C 00 65 00 44 00 65 00 73 00 63 00 72 00 69 00 70 00 74 00 69 00 6F 00 6E 00 00 00 00 00 }  // wType=1, "FileDescription", NUL, pad
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "Beijing Rising"
                (uint32(@company + 28) == 0x00650042 and uint32(@company + 32) == 0x006A0069 and uint32(@company + 36) == 0x006E0069 and uint32(@company + 40) == 0x00200067 and uint32(@company + 44) == 0x00690052 and uint32(@company + 48) == 0x00690073 and uint32(@company + 52) == 0x0067006E)
            )) or
            ($product and (
                // ProductName starts with "Rising AntiVirus"
                (uint32(@product + 28) == 0x00690052 and uint32(@product + 32) == 0x00690073 and uint32(@product + 36) == 0x0067006E and uint32(@product + 40) == 0x00410020 and uint32(@product + 44) == 0x0074006E and uint32(@product + 48) == 0x00560069 and uint32(@product + 52) == 0x00720069 and uint32(@product + 56) == 0x00730075)
            )) or
            ($description and (
                // FileDescription starts with "Rising AntiVirus"
                (uint32(@description + 36) == 0x00690052 and uint32(@description + 40) == 0x00690073 and uint32(@description + 44) == 0x0067006E and uint32(@description + 48) == 0x00410020 and uint32(@description + 52) == 0x0074006E and uint32(@description + 56) == 0x00560069 and uint32(@description + 60) == 0x00720069 and uint32(@description + 64) == 0x00730075)
            ))
        )
}

rule Rising_DriverName : driver_name
{
    meta:
        vendor = "rising"
        description = "PE version resource OriginalFilename is a driver registered to Rising (Beijing Rising): rspot.sys, rsndisp.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#23 [LOL,ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Rising.yar"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "rspot.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00730072 and (uint32(@ofn + 40) | 0x00200020) == 0x006F0070 and (uint32(@ofn + 44) | 0x00000020) == 0x002E0074 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "rsndisp.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00730072 and (uint32(@ofn + 40) | 0x00200020) == 0x0064006E and (uint32(@ofn + 44) | 0x00200020) == 0x00730069 and (uint32(@ofn + 48) | 0x00000020) == 0x002E0070 and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073)
        )
}

rule Rising_PdbPath : pdb_path
{
    meta:
        vendor = "rising"
        description = "CodeView debug path of a Rising (Beijing Rising) build: rspot_win10-x64.pdb, rsndisp_win10-x64.pdb"
        confidence = "medium"
        reference = "research/vendor-origins.md 3b [ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Rising.yar"
    strings:
        $pdb1 = "\\rspot_win10-x64.pdb\x00"
        $pdb2 = "\\rsndisp_win10-x64.pdb\x00"
    condition:
        uint16(0) == 0x5A4D and any of them
}
