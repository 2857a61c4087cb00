/*
 * IObit — vendor slug "iobit"; jurisdiction: China.
 * Facts and sources: research/vendor-origins.md §1b#33 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule IObit_CertSubject : cert_subject
{
    meta:
        vendor = "iobit"
        description = "Certificate naming IObit (DER-encoded X.509 CN or O attribute): IObit Information Technology; IObit CO., LTD"
        confidence = "high"
        reference = "research/vendor-origins.md 1b#33 [LOL:e368efc7,MSBL]; https://github.com/MicrosoftDocs/windows-itpro-docs/blob/1c3b2da0419008298553b1387efd208eb144b976/windows/security/application-security/application-control/app-control-for-business/design/microsoft-recommended-driver-block-rules.md"
    strings:
        // CN= or O= "IObit Information Technology"
        $name1 = { 06 03 55 04 (03|0A) (0C|13) 1C 49 4F 62 69 74 20 49 6E 66 6F 72 6D 61 74 69 6F 6E 20 54 65 63 68 6E 6F 6C 6F 67 79 }
        // CN= or O= "IObit CO., LTD"
        $name2 = { 06 03 55 04 (03|0A) (0C|13) 0E 49 4F 62 69 74 20 43 4F 2E 2C 20 4C 54 44 }
    condition:
        any of them
}

rule IObit_DriverName : driver_name
{
    meta:
        vendor = "iobit"
        description = "PE version resource OriginalFilename is a driver registered to IObit: iobitunlocker.sys, iuforcedelete.sys, imffilter.sys"
        confidence = "medium"
        reference = "research/vendor-origins.md 1b#33 [LOL,ALT]; https://github.com/MicrosoftDocs/windows-driver-docs/blob/0099d1b16f3ccd040d9451b98929a08bb28ccb66/windows-driver-docs-pr/ifs/allocated-altitudes.md"
    strings:
        $ofn = { 01 0? 4F 00 72 00 69 00 67 00 69 00 6E 00 61 00 6C 00 46 00 69 00 6C 00 65 00 6E 00 61 00 6D 00 65 00 00 00 }  // wType=1, "OriginalFilename", NUL
    condition:
        uint16(0) == 0x5A4D and $ofn and (
            // OriginalFilename is "iobitunlocker.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006F0069 and (uint32(@ofn + 40) | 0x00200020) == 0x00690062 and (uint32(@ofn + 44) | 0x00200020) == 0x00750074 and (uint32(@ofn + 48) | 0x00200020) == 0x006C006E and (uint32(@ofn + 52) | 0x00200020) == 0x0063006F and (uint32(@ofn + 56) | 0x00200020) == 0x0065006B and (uint32(@ofn + 60) | 0x00000020) == 0x002E0072 and (uint32(@ofn + 64) | 0x00200020) == 0x00790073 and (uint32(@ofn + 68) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "iuforcedelete.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x00750069 and (uint32(@ofn + 40) | 0x00200020) == 0x006F0066 and (uint32(@ofn + 44) | 0x00200020) == 0x00630072 and (uint32(@ofn + 48) | 0x00200020) == 0x00640065 and (uint32(@ofn + 52) | 0x00200020) == 0x006C0065 and (uint32(@ofn + 56) | 0x00200020) == 0x00740065 and (uint32(@ofn + 60) | 0x00000020) == 0x002E0065 and (uint32(@ofn + 64) | 0x00200020) == 0x00790073 and (uint32(@ofn + 68) | 0x00000020) == 0x00000073) or
            // OriginalFilename is "imffilter.sys" (any case)
            ((uint32(@ofn + 36) | 0x00200020) == 0x006D0069 and (uint32(@ofn + 40) | 0x00200020) == 0x00660066 and (uint32(@ofn + 44) | 0x00200020) == 0x006C0069 and (uint32(@ofn + 48) | 0x00200020) == 0x00650074 and (uint32(@ofn + 52) | 0x00000020) == 0x002E0072 and (uint32(@ofn + 56) | 0x00200020) == 0x00790073 and (uint32(@ofn + 60) | 0x00000020) == 0x00000073)
        )
}
