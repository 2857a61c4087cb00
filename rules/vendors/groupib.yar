/*
 * Group-IB / F.A.C.C.T. — vendor slug "groupib"; jurisdiction: Russia (origin); HQ Singapore from 2019 UNCONFIRMED.
 * Facts and sources: research/vendor-origins.md §1a#5 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule GroupIB_VersionInfo : version_info
{
    meta:
        vendor = "group-ib"
        description = "PE version resource of Group-IB / F.A.C.C.T.: CompanyName Group-IB; ProductName/FileDescription Group-IB THF Huntpoint; LegalCopyright contains Group-IB LTD"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#5 [LOL:1e69f91e,ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Gibepext.yar"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
        $product = { 01 0? 50 00 72 00 6F 00 64 00 75 00 63 00 74 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "ProductName", NUL, pad
        $description = { 01 0? 46 00 69 00 6C 00 65 00 44 00 65 00 73 00 63 00 72 00 69 00 70 00 74 00 69 00 6F 00 6E 00 00 00 00 00 }  // wType=1, "FileDescription", NUL, pad
        $copyright = { 01 0? 4C 00 65 00 67 00 61 00 6C 00 43 00 6F 00 70 00 79 00 72 00 69 00 67 00 68 00 74 00 00 00 }  // wType=1, "LegalCopyright", NUL
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "Group-IB"
                (uint32(@company + 28) == 0x00720047 and uint32(@company + 32) == 0x0075006F and uint32(@company + 36) == 0x002D0070 and uint32(@company + 40) == 0x00420049)
            )) or
            ($product and (
                // ProductName starts with "Group-IB THF Huntpoint"
                (uint32(@product + 28) == 0x00720047 and uint32(@product + 32) == 0x0075006F and uint32(@product + 36) == 0x002D0070 and uint32(@product + 40) == 0x00420049 and uint32(@product + 44) == 0x00540020 and uint32(@product + 48) == 0x00460048 and uint32(@product + 52) == 0x00480020 and uint32(@product + 56) == 0x006E0075 and uint32(@product + 60) == 0x00700074 and uint32(@product + 64) == 0x0069006F and uint32(@product + 68) == 0x0074006E)
            )) or
            ($description and (
                // FileDescription starts with "Group-IB THF Huntpoint"
                (uint32(@description + 36) == 0x00720047 and uint32(@description + 40) == 0x0075006F and uint32(@description + 44) == 0x002D0070 and uint32(@description + 48) == 0x00420049 and uint32(@description + 52) == 0x00540020 and uint32(@description + 56) == 0x00460048 and uint32(@description + 60) == 0x00480020 and uint32(@description + 64) == 0x006E0075 and uint32(@description + 68) == 0x00700074 and uint32(@description + 72) == 0x0069006F and uint32(@description + 76) == 0x0074006E)
            )) or
            ($copyright and (
                // LegalCopyright contains "Group-IB LTD"
                (for any i in (0..63) : (uint32(@copyright + 2 * i + 32) == 0x00720047 and uint32(@copyright + 2 * i + 36) == 0x0075006F and uint32(@copyright + 2 * i + 40) == 0x002D0070 and uint32(@copyright + 2 * i + 44) == 0x00420049 and uint32(@copyright + 2 * i + 48) == 0x004C0020 and uint32(@copyright + 2 * i + 52) == 0x00440054))
            ))
        )
}

rule GroupIB_DriverName : driver_name
{
    meta:
        vendor = "group-ib"
        description = "PE version resource OriginalFilename is a driver registered to Group-IB / F.A.C.C.T.: gibepext.sys, gibepcore.sys, gibepdevflt.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#5 [ALT,LOL:1e69f91e]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "gibepext.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00690067 and (uint32(@ofn + 40) | 0x00200020) == 0x00650062 and (uint32(@ofn + 44) | 0x00200020) == 0x00650070 and (uint32(@ofn + 48) | 0x00200020) == 0x00740078 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "gibepcore.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00690067 and (uint32(@ofn + 40) | 0x00200020) == 0x00650062 and (uint32(@ofn + 44) | 0x00200020) == 0x00630070 and (uint32(@ofn + 48) | 0x00200020) == 0x0072006F and (uint32(@ofn + 52) | 0x00000020) == 0x002E0065 and (uint32(@ofn + 56) | 0x00200020) == 0x00790073 and (uint32(@ofn + 60) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "gibepdevflt.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00690067 and (uint32(@ofn + 40) | 0x00200020) == 0x00650062 and (uint32(@ofn + 44) | 0x00200020) == 0x00640070 and (uint32(@ofn + 48) | 0x00200020) == 0x00760065 and (uint32(@ofn + 52) | 0x00200020) == 0x006C0066 and (uint32(@ofn + 56) | 0x00000020) == 0x002E0074 and (uint32(@ofn + 60) | 0x00200020) == 0x00790073 and (uint32(@ofn + 64) | 0x00000020) == 0x00000073)
        )
}

rule GroupIB_PdbPath : pdb_path
{
    meta:
        vendor = "group-ib"
        description = "CodeView debug path of a Group-IB / F.A.C.C.T. build: gibepext.pdb"
        confidence = "medium"
        reference = "research/vendor-origins.md 3b [ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Gibepext.yar"
    strings:
        $pdb1 = "\\gibepext.pdb\x00"
    condition:
        uint16(0) == 0x5A4D and any of them
}
