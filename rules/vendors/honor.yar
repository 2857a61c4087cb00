/*
 * Honor Device — vendor slug "honor"; jurisdiction: China.
 * Facts and sources: research/vendor-origins.md §1b#27 (source keys in each rule's reference meta).
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule Honor_CertSubject : cert_subject
{
    meta:
        vendor = "honor"
        description = "Certificate naming Honor Device (DER-encoded X.509 CN or O attribute): Honor Device Co., Ltd."
        confidence = "high"
        reference = "research/vendor-origins.md 1b#27 [LOL:c3c083d2]; https://github.com/magicsword-io/LOLDrivers/tree/5554706c8350a7b4a8631f05f490e563cd4b6e0a/yaml"
    strings:
        // CN= or O= "Honor Device Co., Ltd."
        $name1 = { 06 03 55 04 (03|0A) (0C|13) 16 48 6F 6E 6F 72 20 44 65 76 69 63 65 20 43 6F 2E 2C 20 4C 74 64 2E }
    condition:
        any of them
}
