/*
 * Tencent (PC Manager, QQ) — vendor slug "tencent"; jurisdiction: China.
 * Facts and sources: research/vendor-origins.md §1b#17 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule Tencent_CertSubject : cert_subject
{
    meta:
        vendor = "tencent"
        description = "Certificate naming Tencent (PC Manager, QQ) (DER-encoded X.509 CN or O attribute): Tencent Technology (Shenzhen) Company Limited; Shenzhen Tencent Computer Systems Company Limited"
        confidence = "high"
        reference = "research/vendor-origins.md 1b#17 [KEV,ALT]"
    strings:
        // CN= or O= "Tencent Technology (Shenzhen) Company Limited"
        $name1 = { 06 03 55 04 (03|0A) (0C|13) 2D 54 65 6E 63 65 6E 74 20 54 65 63 68 6E 6F 6C 6F 67 79 20 28 53 68 65 6E 7A 68 65 6E 29 20 43 6F 6D 70 61 6E 79 20 4C 69 6D 69 74 65 64 }
        // CN= or O= "Shenzhen Tencent Computer Systems Company Limited"
        $name2 = { 06 03 55 04 (03|0A) (0C|13) 31 53 68 65 6E 7A 68 65 6E 20 54 65 6E 63 65 6E 74 20 43 6F 6D 70 75 74 65 72 20 53 79 73 74 65 6D 73 20 43 6F 6D 70 61 6E 79 20 4C 69 6D 69 74 65 64 }
    condition:
        any of them
}

rule Tencent_VersionInfo : version_info
{
    meta:
        vendor = "tencent"
        description = "PE version resource of Tencent (PC Manager, QQ): CompanyName Tencent; FileDescription 电脑管家-驱动模块"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#17 [ALT,ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Qmbsec.yar"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
        $description = { 01 0? 46 00 69 00 6C 00 65 00 44 00 65 00 73 00 63 00 72 00 69 00 70 00 74 00 69 00 6F 00 6E 00 00 00 00 00 }  // wType=1, "FileDescription", NUL, pad
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "Tencent"
                (uint32(@company + 28) == 0x00650054 and uint32(@company + 32) == 0x0063006E and uint32(@company + 36) == 0x006E0065 and uint16(@company + 40) == 0x0074)
            )) or
            ($description and (
                // FileDescription starts with "电脑管家-驱动模块"
                (uint32(@description + 36) == 0x81117535 and uint32(@description + 40) == 0x5BB67BA1 and uint32(@description + 44) == 0x9A71002D and uint32(@description + 48) == 0x6A2152A8 and uint16(@description + 52) == 0x5757)
            ))
        )
}

rule Tencent_DriverName : driver_name
{
    meta:
        vendor = "tencent"
        description = "PE version resource OriginalFilename is a driver registered to Tencent (PC Manager, QQ): qqprotect.sys, qqprotectx64.sys, tsqbdrv.sys, tesmon.sys, qqsysmon.sys, qqsysmonx64.sys, tsyscare.sys, tfsflt.sys, tenrsafe2.sys, tesxporter.sys, tesxnginx.sys, qmbsec.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#17 [ALT,ELA]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "qqprotect.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00710071 and (uint32(@ofn + 40) | 0x00200020) == 0x00720070 and (uint32(@ofn + 44) | 0x00200020) == 0x0074006F and (uint32(@ofn + 48) | 0x00200020) == 0x00630065 and (uint32(@ofn + 52) | 0x00000020) == 0x002E0074 and (uint32(@ofn + 56) | 0x00200020) == 0x00790073 and (uint32(@ofn + 60) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "qqprotectx64.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00710071 and (uint32(@ofn + 40) | 0x00200020) == 0x00720070 and (uint32(@ofn + 44) | 0x00200020) == 0x0074006F and (uint32(@ofn + 48) | 0x00200020) == 0x00630065 and (uint32(@ofn + 52) | 0x00200020) == 0x00780074 and uint32(@ofn + 56) == 0x00340036 and (uint32(@ofn + 60) | 0x00200000) == 0x0073002E and (uint32(@ofn + 64) | 0x00200020) == 0x00730079 and uint16(@ofn + 68) == 0x0000) or
            // OriginalFilename is "tsqbdrv.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00730074 and (uint32(@ofn + 40) | 0x00200020) == 0x00620071 and (uint32(@ofn + 44) | 0x00200020) == 0x00720064 and (uint32(@ofn + 48) | 0x00000020) == 0x002E0076 and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "tesmon.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00650074 and (uint32(@ofn + 40) | 0x00200020) == 0x006D0073 and (uint32(@ofn + 44) | 0x00200020) == 0x006E006F and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "qqsysmon.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00710071 and (uint32(@ofn + 40) | 0x00200020) == 0x00790073 and (uint32(@ofn + 44) | 0x00200020) == 0x006D0073 and (uint32(@ofn + 48) | 0x00200020) == 0x006E006F and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "qqsysmonx64.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00710071 and (uint32(@ofn + 40) | 0x00200020) == 0x00790073 and (uint32(@ofn + 44) | 0x00200020) == 0x006D0073 and (uint32(@ofn + 48) | 0x00200020) == 0x006E006F and (uint32(@ofn + 52) | 0x00000020) == 0x00360078 and uint32(@ofn + 56) == 0x002E0034 and (uint32(@ofn + 60) | 0x00200020) == 0x00790073 and (uint32(@ofn + 64) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "tsyscare.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00730074 and (uint32(@ofn + 40) | 0x00200020) == 0x00730079 and (uint32(@ofn + 44) | 0x00200020) == 0x00610063 and (uint32(@ofn + 48) | 0x00200020) == 0x00650072 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "tfsflt.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00660074 and (uint32(@ofn + 40) | 0x00200020) == 0x00660073 and (uint32(@ofn + 44) | 0x00200020) == 0x0074006C and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "tenrsafe2.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00650074 and (uint32(@ofn + 40) | 0x00200020) == 0x0072006E and (uint32(@ofn + 44) | 0x00200020) == 0x00610073 and (uint32(@ofn + 48) | 0x00200020) == 0x00650066 and uint32(@ofn + 52) == 0x002E0032 and (uint32(@ofn + 56) | 0x00200020) == 0x00790073 and (uint32(@ofn + 60) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "tesxporter.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00650074 and (uint32(@ofn + 40) | 0x00200020) == 0x00780073 and (uint32(@ofn + 44) | 0x00200020) == 0x006F0070 and (uint32(@ofn + 48) | 0x00200020) == 0x00740072 and (uint32(@ofn + 52) | 0x00200020) == 0x00720065 and (uint32(@ofn + 56) | 0x00200000) == 0x0073002E and (uint32(@ofn + 60) | 0x00200020) == 0x00730079 and uint16(@ofn + 64) == 0x0000) or
            // OriginalFilename is "tesxnginx.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00650074 and (uint32(@ofn + 40) | 0x00200020) == 0x00780073 and (uint32(@ofn + 44) | 0x00200020) == 0x0067006E and (uint32(@ofn + 48) | 0x00200020) == 0x006E0069 and (uint32(@ofn + 52) | 0x00000020) == 0x002E0078 and (uint32(@ofn + 56) | 0x00200020) == 0x00790073 and (uint32(@ofn + 60) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "qmbsec.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006D0071 and (uint32(@ofn + 40) | 0x00200020) == 0x00730062 and (uint32(@ofn + 44) | 0x00200020) == 0x00630065 and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000)
        )
}

rule Tencent_DriverNameIndicative : driver_name
{
    meta:
        vendor = "tencent"
        description = "PE version resource OriginalFilename is a driver registered to Tencent (PC Manager, QQ): qqsysmonx64_ev.sys, qmudisk64_ev.sys, taokernelex64_ev.sys, tfsfltx64_ev.sys, taoacceleratorex64_ev.sys, qmnetmonw64.sys (names from a third-party driver list (CNLIST), indicative only)"
        confidence = "low"
        reference = "research/vendor-origins.md 1b#17 [CNLIST]"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "qqsysmonx64_ev.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00710071 and (uint32(@ofn + 40) | 0x00200020) == 0x00790073 and (uint32(@ofn + 44) | 0x00200020) == 0x006D0073 and (uint32(@ofn + 48) | 0x00200020) == 0x006E006F and (uint32(@ofn + 52) | 0x00000020) == 0x00360078 and uint32(@ofn + 56) == 0x005F0034 and (uint32(@ofn + 60) | 0x00200020) == 0x00760065 and (uint32(@ofn + 64) | 0x00200000) == 0x0073002E and (uint32(@ofn + 68) | 0x00200020) == 0x00730079 and uint16(@ofn + 72) == 0x0000) or
            // OriginalFilename is "qmudisk64_ev.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006D0071 and (uint32(@ofn + 40) | 0x00200020) == 0x00640075 and (uint32(@ofn + 44) | 0x00200020) == 0x00730069 and (uint32(@ofn + 48) | 0x00000020) == 0x0036006B and uint32(@ofn + 52) == 0x005F0034 and (uint32(@ofn + 56) | 0x00200020) == 0x00760065 and (uint32(@ofn + 60) | 0x00200000) == 0x0073002E and (uint32(@ofn + 64) | 0x00200020) == 0x00730079 and uint16(@ofn + 68) == 0x0000) or
            // OriginalFilename is "taokernelex64_ev.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00610074 and (uint32(@ofn + 40) | 0x00200020) == 0x006B006F and (uint32(@ofn + 44) | 0x00200020) == 0x00720065 and (uint32(@ofn + 48) | 0x00200020) == 0x0065006E and (uint32(@ofn + 52) | 0x00200020) == 0x0065006C and (uint32(@ofn + 56) | 0x00000020) == 0x00360078 and uint32(@ofn + 60) == 0x005F0034 and (uint32(@ofn + 64) | 0x00200020) == 0x00760065 and (uint32(@ofn + 68) | 0x00200000) == 0x0073002E and (uint32(@ofn + 72) | 0x00200020) == 0x00730079 and uint16(@ofn + 76) == 0x0000) or
            // OriginalFilename is "tfsfltx64_ev.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00660074 and (uint32(@ofn + 40) | 0x00200020) == 0x00660073 and (uint32(@ofn + 44) | 0x00200020) == 0x0074006C and (uint32(@ofn + 48) | 0x00000020) == 0x00360078 and uint32(@ofn + 52) == 0x005F0034 and (uint32(@ofn + 56) | 0x00200020) == 0x00760065 and (uint32(@ofn + 60) | 0x00200000) == 0x0073002E and (uint32(@ofn + 64) | 0x00200020) == 0x00730079 and uint16(@ofn + 68) == 0x0000) or
            // OriginalFilename is "taoacceleratorex64_ev.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00610074 and (uint32(@ofn + 40) | 0x00200020) == 0x0061006F and (uint32(@ofn + 44) | 0x00200020) == 0x00630063 and (uint32(@ofn + 48) | 0x00200020) == 0x006C0065 and (uint32(@ofn + 52) | 0x00200020) == 0x00720065 and (uint32(@ofn + 56) | 0x00200020) == 0x00740061 and (uint32(@ofn + 60) | 0x00200020) == 0x0072006F and (uint32(@ofn + 64) | 0x00200020) == 0x00780065 and uint32(@ofn + 68) == 0x00340036 and (uint32(@ofn + 72) | 0x00200000) == 0x0065005F and (uint32(@ofn + 76) | 0x00000020) == 0x002E0076 and (uint32(@ofn + 80) | 0x00200020) == 0x00790073 and (uint32(@ofn + 84) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "qmnetmonw64.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006D0071 and (uint32(@ofn + 40) | 0x00200020) == 0x0065006E and (uint32(@ofn + 44) | 0x00200020) == 0x006D0074 and (uint32(@ofn + 48) | 0x00200020) == 0x006E006F and (uint32(@ofn + 52) | 0x00000020) == 0x00360077 and uint32(@ofn + 56) == 0x002E0034 and (uint32(@ofn + 60) | 0x00200020) == 0x00790073 and (uint32(@ofn + 64) | 0x00000020) == 0x00000073)
        )
}

rule Tencent_PdbPath : pdb_path
{
    meta:
        vendor = "tencent"
        description = "CodeView debug path of a Tencent (PC Manager, QQ) build: qmbsec.pdb"
        confidence = "medium"
        reference = "research/vendor-origins.md 3b [ELA]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Qmbsec.yar"
    strings:
        $pdb1 = "\\qmbsec.pdb\x00"
    condition:
        uint16(0) == 0x5A4D and any of them
}

rule Tencent_GameProtectSdk : engine
{
    meta:
        vendor = "tencent"
        description = "Integrates Tencent's game-security (anti-cheat) SDK in a third-party game, whatever the game is called: an SDK entry point (Tp2SdkInitEx, Tp2UserLogin, Tp2SetGamestatus) together with the SDK's library name (tersafe2, as in libtersafe2.so); neither alone"
        confidence = "medium"
        reference = "Tencent Cloud documentation: https://github.com/tencentyun/qcloud-documents/blob/master/product/%E5%AE%89%E5%85%A8%E6%9C%8D%E5%8A%A1/%E6%89%8B%E6%B8%B8%E5%8F%8D%E4%BD%9C%E5%BC%8A/%E6%8E%A5%E5%85%A5%E6%8C%87%E5%BC%95/%E6%89%8B%E6%B8%B8%E5%8F%8D%E4%BD%9C%E5%BC%8AC%E4%BA%95%E6%8E%A5%E5%85%A5%E6%8C%87%E5%BC%95.md (mobile-game anti-cheat C# integration: libtersafe2.so, tp2.jar, tp2.cs; interface functions Tp2SdkInitEx, Tp2UserLogin, Tp2SetGamestatus)"
    strings:
        $api1 = "Tp2SdkInitEx" ascii
        $api2 = "Tp2UserLogin" ascii
        $api3 = "Tp2SetGamestatus" ascii
        $lib = "tersafe2" ascii
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F or uint32(0) == 0xFEEDFACF or
         uint32(0) == 0xFEEDFACE or uint32(0) == 0xBEBAFECA) and any of ($api*) and $lib
}
