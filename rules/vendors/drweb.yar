/*
 * Doctor Web (Dr.Web) — vendor slug "drweb"; jurisdiction: Russia.
 * Facts and sources: research/vendor-origins.md §1a#2 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule DrWeb_CertSubject : cert_subject
{
    meta:
        vendor = "doctor-web"
        description = "Certificate naming Doctor Web (Dr.Web) (DER-encoded X.509 CN or O attribute): Doctor Web Ltd.; Doctor Web, Ltd.; Doctor Web — names as registered with Microsoft (altitude register); the certificate subject itself is UNCONFIRMED in the research notes"
        confidence = "high"
        reference = "research/vendor-origins.md 1a#2 [ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        // CN= or O= "Doctor Web Ltd."
        $name1 = { 06 03 55 04 (03|0A) (0C|13) 0F 44 6F 63 74 6F 72 20 57 65 62 20 4C 74 64 2E }
        // CN= or O= "Doctor Web, Ltd."
        $name2 = { 06 03 55 04 (03|0A) (0C|13) 10 44 6F 63 74 6F 72 20 57 65 62 2C 20 4C 74 64 2E }
        // CN= or O= "Doctor Web"
        $name3 = { 06 03 55 04 (03|0A) (0C|13) 0A 44 6F 63 74 6F 72 20 57 65 62 }
    condition:
        any of them
}

rule DrWeb_VersionInfo : version_info
{
    meta:
        vendor = "doctor-web"
        description = "PE version resource of Doctor Web (Dr.Web): CompanyName Doctor Web; ProductName/FileDescription Dr.Web"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#2 [ALT,AVA3]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $company = { 01 0? 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "CompanyName", NUL, pad
        $product = { 01 0? 50 00 72 00 6F 00 64 00 75 00 63 00 74 00 4E 00 61 00 6D 00 65 00 00 00 00 00 }  // wType=1, "ProductName", NUL, pad
        $description = { 01 0? 46 00 69 00 6C 00 65 00 44 00 65 00 73 00 63 00 72 00 69 00 70 00 74 00 69 00 6F 00 6E 00 00 00 00 00 }  // wType=1, "FileDescription", NUL, pad
    condition:
        uint16(0) == 0x5A4D and (
            ($company and (
                // CompanyName starts with "Doctor Web"
                (uint32(@company + 28) == 0x006F0044 and uint32(@company + 32) == 0x00740063 and uint32(@company + 36) == 0x0072006F and uint32(@company + 40) == 0x00570020 and uint32(@company + 44) == 0x00620065)
            )) or
            ($product and (
                // ProductName starts with "Dr.Web"
                (uint32(@product + 28) == 0x00720044 and uint32(@product + 32) == 0x0057002E and uint32(@product + 36) == 0x00620065)
            )) or
            ($description and (
                // FileDescription starts with "Dr.Web"
                (uint32(@description + 36) == 0x00720044 and uint32(@description + 40) == 0x0057002E and uint32(@description + 44) == 0x00620065)
            ))
        )
}

rule DrWeb_DriverName : driver_name
{
    meta:
        vendor = "doctor-web"
        description = "PE version resource OriginalFilename is a driver registered to Doctor Web (Dr.Web): spiderg3.sys, dwprot.sys, dwshield.sys, dwshield64.sys, drwebfwft.sys, drwebfwflt.sys, dwdg.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1a#2 [ALT,AVA3]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "spiderg3.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00700073 and (uint32(@ofn + 40) | 0x00200020) == 0x00640069 and (uint32(@ofn + 44) | 0x00200020) == 0x00720065 and (uint32(@ofn + 48) | 0x00000020) == 0x00330067 and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "dwprot.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00770064 and (uint32(@ofn + 40) | 0x00200020) == 0x00720070 and (uint32(@ofn + 44) | 0x00200020) == 0x0074006F and (uint32(@ofn + 48) | 0x00200000) == 0x0073002E and (uint32(@ofn + 52) | 0x00200020) == 0x00730079 and uint16(@ofn + 56) == 0x0000) or
            // OriginalFilename is "dwshield.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00770064 and (uint32(@ofn + 40) | 0x00200020) == 0x00680073 and (uint32(@ofn + 44) | 0x00200020) == 0x00650069 and (uint32(@ofn + 48) | 0x00200020) == 0x0064006C and (uint32(@ofn + 52) | 0x00200000) == 0x0073002E and (uint32(@ofn + 56) | 0x00200020) == 0x00730079 and uint16(@ofn + 60) == 0x0000) or
            // OriginalFilename is "dwshield64.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00770064 and (uint32(@ofn + 40) | 0x00200020) == 0x00680073 and (uint32(@ofn + 44) | 0x00200020) == 0x00650069 and (uint32(@ofn + 48) | 0x00200020) == 0x0064006C and uint32(@ofn + 52) == 0x00340036 and (uint32(@ofn + 56) | 0x00200000) == 0x0073002E and (uint32(@ofn + 60) | 0x00200020) == 0x00730079 and uint16(@ofn + 64) == 0x0000) or
            // OriginalFilename is "drwebfwft.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00720064 and (uint32(@ofn + 40) | 0x00200020) == 0x00650077 and (uint32(@ofn + 44) | 0x00200020) == 0x00660062 and (uint32(@ofn + 48) | 0x00200020) == 0x00660077 and (uint32(@ofn + 52) | 0x00000020) == 0x002E0074 and (uint32(@ofn + 56) | 0x00200020) == 0x00790073 and (uint32(@ofn + 60) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "drwebfwflt.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00720064 and (uint32(@ofn + 40) | 0x00200020) == 0x00650077 and (uint32(@ofn + 44) | 0x00200020) == 0x00660062 and (uint32(@ofn + 48) | 0x00200020) == 0x00660077 and (uint32(@ofn + 52) | 0x00200020) == 0x0074006C and (uint32(@ofn + 56) | 0x00200000) == 0x0073002E and (uint32(@ofn + 60) | 0x00200020) == 0x00730079 and uint16(@ofn + 64) == 0x0000) or
            // OriginalFilename is "dwdg.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00770064 and (uint32(@ofn + 40) | 0x00200020) == 0x00670064 and (uint32(@ofn + 44) | 0x00200000) == 0x0073002E and (uint32(@ofn + 48) | 0x00200020) == 0x00730079 and uint16(@ofn + 52) == 0x0000)
        )
}

rule DrWeb_EngineName : engine
{
    meta:
        vendor = "doctor-web"
        description = "Names Doctor Web's engine components as licensed to others: Dr.Web Virus-Finding Engine; Dr.Web Scanning Engine. A bare product name is a claim, not an engine, hence low"
        confidence = "low"
        reference = "https://cdn-download.drweb.com/pub/drweb/unix/workstation/11.1/documentation/html/en/dw_8_structure.htm (Dr.Web Virus-Finding Engine, library drweb32.dll; Dr.Web Scanning Engine); https://cdn-download.drweb.com/pub/drweb/unix/mail/11.1/documentation/html/en/se_principles.htm (external applications use the Scanning Engine's API)"
    strings:
        $name1 = "Dr.Web Virus-Finding Engine" ascii
        $name2 = "Dr.Web Scanning Engine" ascii
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F or uint32(0) == 0xFEEDFACF or
         uint32(0) == 0xFEEDFACE or uint32(0) == 0xBEBAFECA) and any of them
}

// The gate of DrWeb_VirusFindingEngine, whose rule is in rules/gated/drweb.yar (docs/rules.md,
// "Gated rules"): every way that rule fires needs the engine's entry-point code, so its file-name
// strings, the costly part of it for libyara, are looked for only in the files where this gate
// matched.
rule DrWeb_VirusFindingEngine : gate
{
    strings:
        $code = { B8 01 00 00 00 C2 0C 00 8D 80 00 00 00 00 8B D2 8B ?? 24 04 }
    condition:
        uint16(0) == 0x5A4D and $code
}
