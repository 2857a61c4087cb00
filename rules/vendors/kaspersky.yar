/*
 * Kaspersky (AO Kaspersky Lab) — vendor slug "kaspersky"; jurisdiction: Russia.
 * Facts and sources: research/vendor-origins.md §1a#1 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule Kaspersky_CertSubject : cert_subject
{
    meta:
        vendor = "kaspersky"
        description = "Certificate naming Kaspersky (AO Kaspersky Lab) (DER-encoded X.509 CN or O attribute): AO Kaspersky Lab; Kaspersky Lab ZAO; Kaspersky Lab JSC; Kaspersky Lab; Kaspersky Anti-Virus Personal Root Certificate"
        confidence = "high"
        reference = "research/vendor-origins.md 1a#1, 4.5 [KEV,FRST,KVRT,KZAO,KROOT]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_Vsdatant.yar (DER subject pattern)"
    strings:
        // CN= or O= "AO Kaspersky Lab"
        $name1 = { 06 03 55 04 (03|0A) (0C|13) 10 41 4F 20 4B 61 73 70 65 72 73 6B 79 20 4C 61 62 }
        // CN= or O= "Kaspersky Lab ZAO"
        $name2 = { 06 03 55 04 (03|0A) (0C|13) 11 4B 61 73 70 65 72 73 6B 79 20 4C 61 62 20 5A 41 4F }
        // CN= or O= "Kaspersky Lab JSC"
        $name3 = { 06 03 55 04 (03|0A) (0C|13) 11 4B 61 73 70 65 72 73 6B 79 20 4C 61 62 20 4A 53 43 }
        // CN= or O= "Kaspersky Lab"
        $name4 = { 06 03 55 04 (03|0A) (0C|13) 0D 4B 61 73 70 65 72 73 6B 79 20 4C 61 62 }
        // CN= or O= "Kaspersky Anti-Virus Personal Root Certificate"
        $name5 = { 06 03 55 04 (03|0A) (0C|13) 2E 4B 61 73 70 65 72 73 6B 79 20 41 6E 74 69 2D 56 69 72 75 73 20 50 65 72 73 6F 6E 61 6C 20 52 6F 6F 74 20 43 65 72 74 69 66 69 63 61 74 65 }
    condition:
        any of them
}

rule Kaspersky_VersionInfo : version_info
{
    meta:
        vendor = "kaspersky"
        description = "PE version resource of Kaspersky (AO Kaspersky Lab): CompanyName AO Kaspersky Lab; CompanyName Kaspersky Lab; ProductName/FileDescription Kaspersky Lab Anti-Rootkit Monitor Driver; LegalCopyright contains Kaspersky Lab; LegalTrademarks contains Kaspersky Lab ZAO"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#1, 3b [KEV,KZAO,AVA3]; https://github.com/elastic/protections-artifacts/blob/9c334cf8298d9ff7e19c2a50817669072abc2d66/yara/rules/Windows_VulnDriver_RtCore.yar"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
        $product = { 01 0? 50 00 72 00 6F 00 64 00 75 00 63 00 74 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "ProductName", NUL, pad
        $description = { 01 0? 46 00 69 00 6C 00 65 00 44 00 65 00 73 00 63 00 72 00 69 00 70 00 74 00 69 00 6F 00 6E 00 00 00 00 00 }  // wType=1, "FileDescription", NUL, pad
        $copyright = { 01 0? 4C 00 65 00 67 00 61 00 6C 00 43 00 6F 00 70 00 79 00 72 00 69 00 67 00 68 00 74 00 00 00 }  // wType=1, "LegalCopyright", NUL
        $trademark = { 01 0? 4C 00 65 00 67 00 61 00 6C 00 54 00 72 00 61 00 64 00 65 00 6D 00 61 00 72 00 6B 00 73 00 00 00 00 00 }  // wType=1, "LegalTrademarks", NUL, pad
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "AO Kaspersky Lab"
                (uint32(@company + 28) == 0x004F0041 and uint32(@company + 32) == 0x004B0020 and uint32(@company + 36) == 0x00730061 and uint32(@company + 40) == 0x00650070 and uint32(@company + 44) == 0x00730072 and uint32(@company + 48) == 0x0079006B and uint32(@company + 52) == 0x004C0020 and uint32(@company + 56) == 0x00620061) or
                // CompanyName starts with "Kaspersky Lab"
                (uint32(@company + 28) == 0x0061004B and uint32(@company + 32) == 0x00700073 and uint32(@company + 36) == 0x00720065 and uint32(@company + 40) == 0x006B0073 and uint32(@company + 44) == 0x00200079 and uint32(@company + 48) == 0x0061004C and uint16(@company + 52) == 0x0062)
            )) or
            ($product and (
                // ProductName starts with "Kaspersky Lab Anti-Rootkit Monitor Driver"
                (uint32(@product + 28) == 0x0061004B and uint32(@product + 32) == 0x00700073 and uint32(@product + 36) == 0x00720065 and uint32(@product + 40) == 0x006B0073 and uint32(@product + 44) == 0x00200079 and uint32(@product + 48) == 0x0061004C and uint32(@product + 52) == 0x00200062 and uint32(@product + 56) == 0x006E0041 and uint32(@product + 60) == 0x00690074 and uint32(@product + 64) == 0x0052002D and uint32(@product + 68) == 0x006F006F and uint32(@product + 72) == 0x006B0074 and uint32(@product + 76) == 0x00740069 and uint32(@product + 80) == 0x004D0020 and uint32(@product + 84) == 0x006E006F and uint32(@product + 88) == 0x00740069 and uint32(@product + 92) == 0x0072006F and uint32(@product + 96) == 0x00440020 and uint32(@product + 100) == 0x00690072 and uint32(@product + 104) == 0x00650076 and uint16(@product + 108) == 0x0072)
            )) or
            ($description and (
                // FileDescription starts with "Kaspersky Lab Anti-Rootkit Monitor Driver"
                (uint32(@description + 36) == 0x0061004B and uint32(@description + 40) == 0x00700073 and uint32(@description + 44) == 0x00720065 and uint32(@description + 48) == 0x006B0073 and uint32(@description + 52) == 0x00200079 and uint32(@description + 56) == 0x0061004C and uint32(@description + 60) == 0x00200062 and uint32(@description + 64) == 0x006E0041 and uint32(@description + 68) == 0x00690074 and uint32(@description + 72) == 0x0052002D and uint32(@description + 76) == 0x006F006F and uint32(@description + 80) == 0x006B0074 and uint32(@description + 84) == 0x00740069 and uint32(@description + 88) == 0x004D0020 and uint32(@description + 92) == 0x006E006F and uint32(@description + 96) == 0x00740069 and uint32(@description + 100) == 0x0072006F and uint32(@description + 104) == 0x00440020 and uint32(@description + 108) == 0x00690072 and uint32(@description + 112) == 0x00650076 and uint16(@description + 116) == 0x0072)
            )) or
            ($copyright and (
                // LegalCopyright contains "Kaspersky Lab"
                (for any i in (0..63) : (uint32(@copyright + 2 * i + 32) == 0x0061004B and uint32(@copyright + 2 * i + 36) == 0x00700073 and uint32(@copyright + 2 * i + 40) == 0x00720065 and uint32(@copyright + 2 * i + 44) == 0x006B0073 and uint32(@copyright + 2 * i + 48) == 0x00200079 and uint32(@copyright + 2 * i + 52) == 0x0061004C and uint16(@copyright + 2 * i + 56) == 0x0062))
            )) or
            ($trademark and (
                // LegalTrademarks contains "Kaspersky Lab ZAO"
                (for any i in (0..63) : (uint32(@trademark + 2 * i + 36) == 0x0061004B and uint32(@trademark + 2 * i + 40) == 0x00700073 and uint32(@trademark + 2 * i + 44) == 0x00720065 and uint32(@trademark + 2 * i + 48) == 0x006B0073 and uint32(@trademark + 2 * i + 52) == 0x00200079 and uint32(@trademark + 2 * i + 56) == 0x0061004C and uint32(@trademark + 2 * i + 60) == 0x00200062 and uint32(@trademark + 2 * i + 64) == 0x0041005A and uint16(@trademark + 2 * i + 68) == 0x004F))
            ))
        )
}

rule Kaspersky_DriverName : driver_name
{
    meta:
        vendor = "kaspersky"
        description = "PE version resource OriginalFilename is a driver registered to Kaspersky (AO Kaspersky Lab): klif.sys, klflt.sys, klhk.sys, klgse.sys, klim6.sys, klwfp.sys, klwtp.sys, kneps.sys, kltdi.sys, kl1.sys, klkbdflt.sys, klkbdflt2.sys, klmouflt.sys, klpd.sys, klpnpflt.sys, kldisk.sys, klids.sys, klelam.sys, cm_km.sys, klbackupflt.sys, klbackupdisk.sys, klboot.sys, klfdefsf.sys, klrsps.sys, klsnsr.sys, klifks.sys, klifaa.sys, klifsm.sys, klam.sys, klbg.sys, kldback.sys, kldlinf.sys, kldtool.sys, klcdp.sys, klshadow.sys, klsysrec.sys, klvfs.sys, klfle.sys, klvirt.sys, klsec.sys, klupd_*"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#1 [KDRV,AVA3,ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "klif.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00660069 and (uint32(@ofn + 44) | 0x00200000) == 0x0073002E and (uint32(@ofn + 48) | 0x00200020) == 0x00730079 and uint16(@ofn + 52) == 0x0000) or
            // OriginalFilename is "klflt.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x006C0066 and (uint32(@ofn + 44) | 0x00000020) == 0x002E0074 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "klhk.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x006B0068 and (uint32(@ofn + 44) | 0x00200000) == 0x0073002E and (uint32(@ofn + 48) | 0x00200020) == 0x00730079 and uint16(@ofn + 52) == 0x0000) or
            // OriginalFilename is "klgse.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00730067 and (uint32(@ofn + 44) | 0x00000020) == 0x002E0065 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "klim6.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x006D0069 and uint32(@ofn + 44) == 0x002E0036 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "klwfp.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00660077 and (uint32(@ofn + 44) | 0x00000020) == 0x002E0070 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "klwtp.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00740077 and (uint32(@ofn + 44) | 0x00000020) == 0x002E0070 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "kneps.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006E006B and (uint32(@ofn + 40) | 0x00200020) == 0x00700065 and (uint32(@ofn + 44) | 0x00000020) == 0x002E0073 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "kltdi.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00640074 and (uint32(@ofn + 44) | 0x00000020) == 0x002E0069 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "kl1.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and uint32(@ofn + 40) == 0x002E0031 and (uint32(@ofn + 44) | 0x00200020) == 0x00790073 and (uint32(@ofn + 48) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "klkbdflt.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x0062006B and (uint32(@ofn + 44) | 0x00200020) == 0x00660064 and (uint32(@ofn + 48) | 0x00200020) == 0x0074006C and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "klkbdflt2.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x0062006B and (uint32(@ofn + 44) | 0x00200020) == 0x00660064 and (uint32(@ofn + 48) | 0x00200020) == 0x0074006C and uint32(@ofn + 52) == 0x002E0032 and (uint32(@ofn + 56) | 0x00200020) == 0x00790073 and (uint32(@ofn + 60) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "klmouflt.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x006F006D and (uint32(@ofn + 44) | 0x00200020) == 0x00660075 and (uint32(@ofn + 48) | 0x00200020) == 0x0074006C and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "klpd.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00640070 and (uint32(@ofn + 44) | 0x00200000) == 0x0073002E and (uint32(@ofn + 48) | 0x00200020) == 0x00730079 and uint16(@ofn + 52) == 0x0000) or
            // OriginalFilename is "klpnpflt.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x006E0070 and (uint32(@ofn + 44) | 0x00200020) == 0x00660070 and (uint32(@ofn + 48) | 0x00200020) == 0x0074006C and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "kldisk.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00690064 and (uint32(@ofn + 44) | 0x00200020) == 0x006B0073 and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "klids.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00640069 and (uint32(@ofn + 44) | 0x00000020) == 0x002E0073 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "klelam.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x006C0065 and (uint32(@ofn + 44) | 0x00200020) == 0x006D0061 and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "cm_km.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006D0063 and (uint32(@ofn + 40) | 0x00200000) == 0x006B005F and (uint32(@ofn + 44) | 0x00000020) == 0x002E006D and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "klbackupflt.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00610062 and (uint32(@ofn + 44) | 0x00200020) == 0x006B0063 and (uint32(@ofn + 48) | 0x00200020) == 0x00700075 and (uint32(@ofn + 52) | 0x00200020) == 0x006C0066 and (uint32(@ofn + 56) | 0x00000020) == 0x002E0074 and (uint32(@ofn + 60) | 0x00200020) == 0x00790073 and (uint32(@ofn + 64) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "klbackupdisk.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00610062 and (uint32(@ofn + 44) | 0x00200020) == 0x006B0063 and (uint32(@ofn + 48) | 0x00200020) == 0x00700075 and (uint32(@ofn + 52) | 0x00200020) == 0x00690064 and (uint32(@ofn + 56) | 0x00200020) == 0x006B0073 and (uint32(@ofn + 60) | 0x00200000) == 0x0073002E and (uint32(@ofn + 64) | 0x00200020) == 0x00730079 and uint16(@ofn + 68) == 0x0000) or
            // OriginalFilename is "klboot.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x006F0062 and (uint32(@ofn + 44) | 0x00200020) == 0x0074006F and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "klfdefsf.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00640066 and (uint32(@ofn + 44) | 0x00200020) == 0x00660065 and (uint32(@ofn + 48) | 0x00200020) == 0x00660073 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "klrsps.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00730072 and (uint32(@ofn + 44) | 0x00200020) == 0x00730070 and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "klsnsr.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x006E0073 and (uint32(@ofn + 44) | 0x00200020) == 0x00720073 and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "klifks.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00660069 and (uint32(@ofn + 44) | 0x00200020) == 0x0073006B and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "klifaa.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00660069 and (uint32(@ofn + 44) | 0x00200020) == 0x00610061 and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "klifsm.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00660069 and (uint32(@ofn + 44) | 0x00200020) == 0x006D0073 and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "klam.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x006D0061 and (uint32(@ofn + 44) | 0x00200000) == 0x0073002E and (uint32(@ofn + 48) | 0x00200020) == 0x00730079 and uint16(@ofn + 52) == 0x0000) or
            // OriginalFilename is "klbg.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00670062 and (uint32(@ofn + 44) | 0x00200000) == 0x0073002E and (uint32(@ofn + 48) | 0x00200020) == 0x00730079 and uint16(@ofn + 52) == 0x0000) or
            // OriginalFilename is "kldback.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00620064 and (uint32(@ofn + 44) | 0x00200020) == 0x00630061 and (uint32(@ofn + 48) | 0x00000020) == 0x002E006B and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "kldlinf.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x006C0064 and (uint32(@ofn + 44) | 0x00200020) == 0x006E0069 and (uint32(@ofn + 48) | 0x00000020) == 0x002E0066 and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "kldtool.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00740064 and (uint32(@ofn + 44) | 0x00200020) == 0x006F006F and (uint32(@ofn + 48) | 0x00000020) == 0x002E006C and (uint32(@ofn + 52) | 0x00200020) == 0x00790073 and (uint32(@ofn + 56) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "klcdp.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00640063 and (uint32(@ofn + 44) | 0x00000020) == 0x002E0070 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "klshadow.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00680073 and (uint32(@ofn + 44) | 0x00200020) == 0x00640061 and (uint32(@ofn + 48) | 0x00200020) == 0x0077006F and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "klsysrec.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00790073 and (uint32(@ofn + 44) | 0x00200020) == 0x00720073 and (uint32(@ofn + 48) | 0x00200020) == 0x00630065 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "klvfs.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00660076 and (uint32(@ofn + 44) | 0x00000020) == 0x002E0073 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "klfle.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x006C0066 and (uint32(@ofn + 44) | 0x00000020) == 0x002E0065 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "klvirt.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00690076 and (uint32(@ofn + 44) | 0x00200020) == 0x00740072 and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "klsec.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00650073 and (uint32(@ofn + 44) | 0x00000020) == 0x002E0063 and (uint32(@ofn + 48) | 0x00200020) == 0x00790073 and (uint32(@ofn + 52) | 0x00000020) == 0x00000073) or
            // OriginalFilename starts with "klupd_" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006C006B and (uint32(@ofn + 40) | 0x00200020) == 0x00700075 and (uint32(@ofn + 44) | 0x00000020) == 0x005F0064)
        )
}

rule Kaspersky_ScanEngineSdk : engine
{
    meta:
        vendor = "kaspersky"
        description = "Integrates the Kaspersky Scan Engine / KAV SDK (white-label OEM engine): at least two SDK-only configuration tokens or protocol strings in a PE, ELF or Mach-O file"
        confidence = "medium"
        reference = "research/vendor-origins.md 3a, 3b [SCAN]; https://support.kaspersky.com/ (Kaspersky Scan Engine articles 179679, 184779, 192973, 201023)"
    strings:
        $kav1 = "KAV_O_M_PACKED" ascii
        $kav2 = "KAV_O_M_ARCHIVED" ascii
        $kav3 = "KAV_O_M_MAILBASES" ascii
        $kav4 = "KAV_O_M_MAILPLAIN" ascii
        $kav5 = "KAV_O_M_HEURISTIC_LEVEL_DETAIL" ascii
        $kav6 = "KAVScanningSettings" ascii
        $kav7 = "kavehost not running" ascii
        $kav8 = "KAV protocol version 3" ascii
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F or uint32(0) == 0xFEEDFACF or
         uint32(0) == 0xFEEDFACE or uint32(0) == 0xBEBAFECA) and 2 of them
}

rule Kaspersky_DriverFileName : driver_name file_name
{
    meta:
        vendor = "kaspersky"
        description = "PE file named like a Kaspersky driver that only Kaspersky installs: updater-named anti-rootkit drivers klupd_<product>_<module>.sys and product-versioned copies such as klif.KES-21-9.sys (uses the filename external)"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#1, 3b [KDRV,CNLIST]"
    condition:
        uint16(0) == 0x5A4D and
        (filename matches /^klupd_[a-z0-9_-]{1,40}_(arkmon|klark|mark|klbg|kimul)\.sys$/i or
         filename matches /^kl[a-z0-9]{1,16}\.[a-z0-9]{2,4}-[0-9]{1,3}-[0-9]{1,3}\.sys$/i)
}

rule Kaspersky_EngineName : engine
{
    meta:
        vendor = "kaspersky"
        description = "Names Kaspersky's OEM engine products: Kaspersky Anti-Virus Software Development Kit; Kaspersky Scan Engine; Kaspersky Anti-Virus Engine; KAV SDK. A bare product name is a claim, not an engine (removal tools and competitor lists name products too), hence low"
        confidence = "low"
        reference = "research/vendor-origins.md 3a [SCAN]; https://support.kaspersky.com/ScanEngine/1.0/en-US/179679.htm (Kaspersky Scan Engine is based on Kaspersky Anti-Virus Software Development Kit 8 Level 3 (KAV SDK) and the Kaspersky Anti-Virus Engine)"
    strings:
        $name1 = "Kaspersky Anti-Virus Software Development Kit" ascii
        $name2 = "Kaspersky Scan Engine" ascii
        $name3 = "Kaspersky Anti-Virus Engine" ascii
        $name4 = "KAV SDK" ascii
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F or uint32(0) == 0xFEEDFACF or
         uint32(0) == 0xFEEDFACE or uint32(0) == 0xBEBAFECA) and any of them
}

// The gate of Kaspersky_KavSdkEngine, whose rule is in rules/gated/kaspersky.yar (docs/rules.md,
// "Gated rules"): every way that rule fires needs an API name or a configuration key, so its
// file-name strings, the costly part of it for libyara, are looked for only in the files where this
// gate matched.
rule Kaspersky_KavSdkEngine : gate
{
    strings:
        $api1 = "kaveInitializeEx" ascii
        $api2 = "kaveInitializeService" ascii
        $api3 = "kaveScanFile" ascii
        $api4 = "kaveScanStream" ascii
        $api5 = "kaveGetDatabasesInfo" ascii
        $api6 = "kaveReloadDatabases" ascii
        $api7 = "kaveGetLicenseInfo" ascii
        $api8 = "kaveCancelAllScan" ascii
        $key1 = "KAV_O_M_PACKED" ascii
        $key2 = "KAV_O_M_ARCHIVED" ascii
        $key3 = "KAV_O_M_MAILPLAIN" ascii
        $key4 = "KAV_O_M_MAILBASES" ascii
        $key5 = "KAV_O_M_HEURISTIC_LEVEL_SHALLOW" ascii
        $key6 = "KAV_SHT_ENGINE_KLAV" ascii
        $key7 = "KAVScanningSettings" ascii
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F or uint32(0) == 0xFEEDFACF or
         uint32(0) == 0xFEEDFACE or uint32(0) == 0xBEBAFECA) and
        (any of ($api*) or any of ($key*))
}
