/*
 * Agnitum (Outpost) — vendor slug "agnitum"; jurisdiction: Russia (UNCONFIRMED in notes).
 * Facts and sources: research/vendor-origins.md §1a#8 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule Agnitum_CertSubject : cert_subject
{
    meta:
        vendor = "agnitum"
        description = "Certificate naming Agnitum (Outpost) (DER-encoded X.509 CN or O attribute): Agnitum Ltd."
        confidence = "high"
        reference = "research/vendor-origins.md 1a#8 [MSBL]; https://github.com/MicrosoftDocs/windows-itpro-docs/blob/1c3b2da0419008298553b1387efd208eb144b976/windows/security/application-security/application-control/app-control-for-business/design/microsoft-recommended-driver-block-rules.md"
    strings:
        // CN= or O= "Agnitum Ltd."
        $name1 = { 06 03 55 04 (03|0A) (0C|13) 0C 41 67 6E 69 74 75 6D 20 4C 74 64 2E }
    condition:
        any of them
}
