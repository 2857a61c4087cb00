/*
 * Qihoo 360 — vendor slug "qihoo360"; jurisdiction: China.
 * Facts and sources: research/vendor-origins.md §1b#15 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule Qihoo360_CertSubject : cert_subject
{
    meta:
        vendor = "qihoo-360"
        description = "Certificate naming Qihoo 360 (DER-encoded X.509 CN or O attribute): Qihoo 360 Software (Beijing) Company Limited; QIHU 360 SOFTWARE CO. LIMITED; 360.cn; Beijing Qihu Technology Co., Ltd.; Qihoo 360 Software Co., Ltd."
        confidence = "high"
        reference = "research/vendor-origins.md 1b#15 [LOL:9bf033e4,LOL:399fb787,LOL:d4d82af5]; https://github.com/magicsword-io/LOLDrivers/tree/5554706c8350a7b4a8631f05f490e563cd4b6e0a/yaml"
    strings:
        // CN= or O= "Qihoo 360 Software (Beijing) Company Limited"
        $name1 = { 06 03 55 04 (03|0A) (0C|13) 2C 51 69 68 6F 6F 20 33 36 30 20 53 6F 66 74 77 61 72 65 20 28 42 65 69 6A 69 6E 67 29 20 43 6F 6D 70 61 6E 79 20 4C 69 6D 69 74 65 64 }
        // CN= or O= "QIHU 360 SOFTWARE CO. LIMITED"
        $name2 = { 06 03 55 04 (03|0A) (0C|13) 1D 51 49 48 55 20 33 36 30 20 53 4F 46 54 57 41 52 45 20 43 4F 2E 20 4C 49 4D 49 54 45 44 }
        // CN= or O= "360.cn"
        $name3 = { 06 03 55 04 (03|0A) (0C|13) 06 33 36 30 2E 63 6E }
        // CN= or O= "Beijing Qihu Technology Co., Ltd."
        $name4 = { 06 03 55 04 (03|0A) (0C|13) 21 42 65 69 6A 69 6E 67 20 51 69 68 75 20 54 65 63 68 6E 6F 6C 6F 67 79 20 43 6F 2E 2C 20 4C 74 64 2E }
        // CN= or O= "Qihoo 360 Software Co., Ltd."
        $name5 = { 06 03 55 04 (03|0A) (0C|13) 1C 51 69 68 6F 6F 20 33 36 30 20 53 6F 66 74 77 61 72 65 20 43 6F 2E 2C 20 4C 74 64 2E }
    condition:
        any of them
}

rule Qihoo360_VersionInfo : version_info
{
    meta:
        vendor = "qihoo-360"
        description = "PE version resource of Qihoo 360: CompanyName Qihoo 360; CompanyName 360.cn; CompanyName Beijing Qihoo Technology; ProductName/FileDescription Qihoo360 Kernel Mode Driver; CompanyName 360安全中心"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#15, 3b [LOL:d4d82af5,ALT,ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_360Hvm64.yar"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
        $product = { 01 0? 50 00 72 00 6F 00 64 00 75 00 63 00 74 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "ProductName", NUL, pad
        $description = { 01 0? 46 00 69 00 6C 00 65 00 44 00 65 00 73 00 63 00 72 00 69 00 70 00 74 00 69 00 6F 00 6E 00 00 00 00 00 }  // wType=1, "FileDescription", NUL, pad
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "Qihoo 360"
                (uint32(@company + 28) == 0x00690051 and uint32(@company + 32) == 0x006F0068 and uint32(@company + 36) == 0x0020006F and uint32(@company + 40) == 0x00360033 and uint16(@company + 44) == 0x0030) or
                // CompanyName starts with "360.cn"
                (uint32(@company + 28) == 0x00360033 and uint32(@company + 32) == 0x002E0030 and uint32(@company + 36) == 0x006E0063) or
                // CompanyName starts with "Beijing Qihoo Technology"
                (uint32(@company + 28) == 0x00650042 and uint32(@company + 32) == 0x006A0069 and uint32(@company + 36) == 0x006E0069 and uint32(@company + 40) == 0x00200067 and uint32(@company + 44) == 0x00690051 and uint32(@company + 48) == 0x006F0068 and uint32(@company + 52) == 0x0020006F and uint32(@company + 56) == 0x00650054 and uint32(@company + 60) == 0x00680063 and uint32(@company + 64) == 0x006F006E and uint32(@company + 68) == 0x006F006C and uint32(@company + 72) == 0x00790067) or
                // CompanyName starts with "360安全中心"
                (uint32(@company + 28) == 0x00360033 and uint32(@company + 32) == 0x5B890030 and uint32(@company + 36) == 0x4E2D5168 and uint16(@company + 40) == 0x5FC3)
            )) or
            ($product and (
                // ProductName starts with "Qihoo360 Kernel Mode Driver"
                (uint32(@product + 28) == 0x00690051 and uint32(@product + 32) == 0x006F0068 and uint32(@product + 36) == 0x0033006F and uint32(@product + 40) == 0x00300036 and uint32(@product + 44) == 0x004B0020 and uint32(@product + 48) == 0x00720065 and uint32(@product + 52) == 0x0065006E and uint32(@product + 56) == 0x0020006C and uint32(@product + 60) == 0x006F004D and uint32(@product + 64) == 0x00650064 and uint32(@product + 68) == 0x00440020 and uint32(@product + 72) == 0x00690072 and uint32(@product + 76) == 0x00650076 and uint16(@product + 80) == 0x0072)
            )) or
            ($description and (
                // FileDescription starts with "Qihoo360 Kernel Mode Driver"
                (uint32(@description + 36) == 0x00690051 and uint32(@description + 40) == 0x006F0068 and uint32(@description + 44) == 0x0033006F and uint32(@description + 48) == 0x00300036 and uint32(@description + 52) == 0x004B0020 and uint32(@description + 56) == 0x00720065 and uint32(@description + 60) == 0x0065006E and uint32(@description + 64) == 0x0020006C and uint32(@description + 68) == 0x006F004D and uint32(@description + 72) == 0x00650064 and uint32(@description + 76) == 0x00440020 and uint32(@description + 80) == 0x00690072 and uint32(@description + 84) == 0x00650076 and uint16(@description + 88) == 0x0072)
            ))
        )
}

rule Qihoo360_DriverName : driver_name
{
    meta:
        vendor = "qihoo-360"
        description = "PE version resource OriginalFilename is a driver registered to Qihoo 360: 360fsflt.sys, 360avflt.sys, 360qpesv.sys, 360qpesv64.sys, dsark.sys, dsark64.sys, 360box.sys, 360box64.sys, qutmdrv.sys, atdragent.sys, atdragent64.sys, 360netmon.sys, 360hvm64.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#15 [ALT,LOL]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "360fsflt.sys" (any case)
            (uint32(@ofn + 36) == 0x00360033 and (uint32(@ofn + 40) | 0x00200000) == 0x00660030 and (uint32(@ofn + 44) | 0x00200020) == 0x00660073 and (uint32(@ofn + 48) | 0x00200020) == 0x0074006C and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "360avflt.sys" (any case)
            (uint32(@ofn + 36) == 0x00360033 and (uint32(@ofn + 40) | 0x00200000) == 0x00610030 and (uint32(@ofn + 44) | 0x00200020) == 0x00660076 and (uint32(@ofn + 48) | 0x00200020) == 0x0074006C and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "360qpesv.sys" (any case)
            (uint32(@ofn + 36) == 0x00360033 and (uint32(@ofn + 40) | 0x00200000) == 0x00710030 and (uint32(@ofn + 44) | 0x00200020) == 0x00650070 and (uint32(@ofn + 48) | 0x00200020) == 0x00760073 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "360qpesv64.sys" (any case)
            (uint32(@ofn + 36) == 0x00360033 and (uint32(@ofn + 40) | 0x00200000) == 0x00710030 and (uint32(@ofn + 44) | 0x00200020) == 0x00650070 and (uint32(@ofn + 48) | 0x00200020) == 0x00760073 and uint32(@ofn + 52) == 0x00340036 and (uint32(@ofn + 56) | 0x00200000) == 0x0073002E and (uint32(@ofn + 60) | 0x00200020) == 0x00730079 and uint16(@ofn + 64) == 0x0000) or
            // OriginalFilename is "dsark.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00730064 and (uint32(@ofn + 40) | 0x00200020) == 0x00720061 and (uint32(@ofn + 44) | 0x00000020) == 0x002E006B and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "dsark64.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00730064 and (uint32(@ofn + 40) | 0x00200020) == 0x00720061 and (uint32(@ofn + 44) | 0x00000020) == 0x0036006B and uint32(@ofn + 48) == 0x002E0034 and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "360box.sys" (any case)
            (uint32(@ofn + 36) == 0x00360033 and (uint32(@ofn + 40) | 0x00200000) == 0x00620030 and (uint32(@ofn + 44) | 0x00200020) == 0x0078006F and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "360box64.sys" (any case)
            (uint32(@ofn + 36) == 0x00360033 and (uint32(@ofn + 40) | 0x00200000) == 0x00620030 and (uint32(@ofn + 44) | 0x00200020) == 0x0078006F and uint32(@ofn + 48) == 0x00340036 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "qutmdrv.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00750071 and (uint32(@ofn + 40) | 0x00200020) == 0x006D0074 and (uint32(@ofn + 44) | 0x00200020) == 0x00720064 and (uint32(@ofn + 48) | 0x00000020) == 0x002E0076 and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "atdragent.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00740061 and (uint32(@ofn + 40) | 0x00200020) == 0x00720064 and (uint32(@ofn + 44) | 0x00200020) == 0x00670061 and (uint32(@ofn + 48) | 0x00200020) == 0x006E0065 and (uint32(@ofn + 52) | 0x00000020) == 0x002E0074 and (uint32(@ofn + 56) | 0x00200020) == 0x00790073 and (uint32(@ofn + 60) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "atdragent64.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00740061 and (uint32(@ofn + 40) | 0x00200020) == 0x00720064 and (uint32(@ofn + 44) | 0x00200020) == 0x00670061 and (uint32(@ofn + 48) | 0x00200020) == 0x006E0065 and (uint32(@ofn + 52) | 0x00000020) == 0x00360074 and uint32(@ofn + 56) == 0x002E0034 and (uint32(@ofn + 60) | 0x00200020) == 0x00790073 and (uint32(@ofn + 64) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "360netmon.sys" (any case)
            (uint32(@ofn + 36) == 0x00360033 and (uint32(@ofn + 40) | 0x00200000) == 0x006E0030 and (uint32(@ofn + 44) | 0x00200020) == 0x00740065 and (uint32(@ofn + 48) | 0x00200020) == 0x006F006D and (uint32(@ofn + 52) | 0x00000020) == 0x002E006E and (uint32(@ofn + 56) | 0x00200020) == 0x00790073 and (uint32(@ofn + 60) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "360hvm64.sys" (any case)
            (uint32(@ofn + 36) == 0x00360033 and (uint32(@ofn + 40) | 0x00200000) == 0x00680030 and (uint32(@ofn + 44) | 0x00200020) == 0x006D0076 and uint32(@ofn + 48) == 0x00340036 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000)
        )
}

rule Qihoo360_DriverNameIndicative : driver_name
{
    meta:
        vendor = "qihoo-360"
        description = "PE version resource OriginalFilename is a driver registered to Qihoo 360: 360antisteal.sys, 360antisteal64.sys, 360antihacker64.sys, 360antihijack64.sys, 360antiexploit64.sys, 360sensor64.sys (names from a third-party driver list (CNLIST), indicative only)"
        confidence = "low"
        reference = "research/vendor-origins.md 1b#15 [CNLIST]"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "360antisteal.sys" (any case)
            (uint32(@ofn + 36) == 0x00360033 and (uint32(@ofn + 40) | 0x00200000) == 0x00610030 and (uint32(@ofn + 44) | 0x00200020) == 0x0074006E and (uint32(@ofn + 48) | 0x00200020) == 0x00730069 and (uint32(@ofn + 52) | 0x00200020) == 0x00650074 and (uint32(@ofn + 56) | 0x00200020) == 0x006C0061 and (uint32(@ofn + 60) | 0x00200000) == 0x0073002E and (uint32(@ofn + 64) | 0x00200020) == 0x00730079 and uint16(@ofn + 68) == 0x0000) or
            // OriginalFilename is "360antisteal64.sys" (any case)
            (uint32(@ofn + 36) == 0x00360033 and (uint32(@ofn + 40) | 0x00200000) == 0x00610030 and (uint32(@ofn + 44) | 0x00200020) == 0x0074006E and (uint32(@ofn + 48) | 0x00200020) == 0x00730069 and (uint32(@ofn + 52) | 0x00200020) == 0x00650074 and (uint32(@ofn + 56) | 0x00200020) == 0x006C0061 and uint32(@ofn + 60) == 0x00340036 and (uint32(@ofn + 64) | 0x00200000) == 0x0073002E and (uint32(@ofn + 68) | 0x00200020) == 0x00730079 and uint16(@ofn + 72) == 0x0000) or
            // OriginalFilename is "360antihacker64.sys" (any case)
            (uint32(@ofn + 36) == 0x00360033 and (uint32(@ofn + 40) | 0x00200000) == 0x00610030 and (uint32(@ofn + 44) | 0x00200020) == 0x0074006E and (uint32(@ofn + 48) | 0x00200020) == 0x00680069 and (uint32(@ofn + 52) | 0x00200020) == 0x00630061 and (uint32(@ofn + 56) | 0x00200020) == 0x0065006B and (uint32(@ofn + 60) | 0x00000020) == 0x00360072 and uint32(@ofn + 64) == 0x002E0034 and (uint32(@ofn + 68) | 0x00200020) == 0x00790073 and (uint32(@ofn + 72) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "360antihijack64.sys" (any case)
            (uint32(@ofn + 36) == 0x00360033 and (uint32(@ofn + 40) | 0x00200000) == 0x00610030 and (uint32(@ofn + 44) | 0x00200020) == 0x0074006E and (uint32(@ofn + 48) | 0x00200020) == 0x00680069 and (uint32(@ofn + 52) | 0x00200020) == 0x006A0069 and (uint32(@ofn + 56) | 0x00200020) == 0x00630061 and (uint32(@ofn + 60) | 0x00000020) == 0x0036006B and uint32(@ofn + 64) == 0x002E0034 and (uint32(@ofn + 68) | 0x00200020) == 0x00790073 and (uint32(@ofn + 72) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "360antiexploit64.sys" (any case)
            (uint32(@ofn + 36) == 0x00360033 and (uint32(@ofn + 40) | 0x00200000) == 0x00610030 and (uint32(@ofn + 44) | 0x00200020) == 0x0074006E and (uint32(@ofn + 48) | 0x00200020) == 0x00650069 and (uint32(@ofn + 52) | 0x00200020) == 0x00700078 and (uint32(@ofn + 56) | 0x00200020) == 0x006F006C and (uint32(@ofn + 60) | 0x00200020) == 0x00740069 and uint32(@ofn + 64) == 0x00340036 and (uint32(@ofn + 68) | 0x00200000) == 0x0073002E and (uint32(@ofn + 72) | 0x00200020) == 0x00730079 and uint16(@ofn + 76) == 0x0000) or
            // OriginalFilename is "360sensor64.sys" (any case)
            (uint32(@ofn + 36) == 0x00360033 and (uint32(@ofn + 40) | 0x00200000) == 0x00730030 and (uint32(@ofn + 44) | 0x00200020) == 0x006E0065 and (uint32(@ofn + 48) | 0x00200020) == 0x006F0073 and (uint32(@ofn + 52) | 0x00000020) == 0x00360072 and uint32(@ofn + 56) == 0x002E0034 and (uint32(@ofn + 60) | 0x00200020) == 0x00790073 and (uint32(@ofn + 64) | 0x00000020) == 0x00000073)
        )
}

rule Qihoo360_PdbPath : pdb_path
{
    meta:
        vendor = "qihoo-360"
        description = "CodeView debug path of a Qihoo 360 build: DsArk64.pdb"
        confidence = "medium"
        reference = "research/vendor-origins.md 3b [ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_DsArk64.yar"
    strings:
        $pdb1 = "\\DsArk64.pdb\x00"
    condition:
        uint16(0) == 0x5A4D and any of them
}
