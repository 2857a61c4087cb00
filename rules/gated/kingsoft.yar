/*
 * Kingsoft / Cheetah Mobile (Kingsoft Antivirus) — vendor slug "kingsoft"; jurisdiction: China.
 * Facts and sources: research/vendor-origins.md §1b#20 (source keys in each rule's reference meta).
 * Gated rules (docs/rules.md, "Gated rules"): run only on files where the gate of the same name in
 * rules/vendors/kingsoft.yar matched.
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule Kingsoft_EngineSdk : engine
{
    meta:
        vendor = "kingsoft"
        description = "Integrates Kingsoft's anti-virus engine SDK (the cloud-scan engine Kingsoft gave to third-party products, and the KSafe SDK), whatever the product is called: an engine export (KSDllGetClassObject, KSDllGetClassCount, KSDllGetClassInfo, KSDllCanUnloadNow of Kingsoft's component model; ksafeInitialize, ksafeScanFileW, ksafeUninitialize) together with the engine's module or configuration file names (kxecore.dll, ksecansp.dll, kcldscan.dll, ksreng3.dll, ksafesdk.dll, ksrengcfg.ini, ksecore.netdetcfg.xml, kspfeng.filemonfilter.xml); neither alone"
        confidence = "medium"
        reference = "Kingsoft cloud-scan SDK demo: https://github.com/LinWeizheDragon/Photon_Protector/tree/9d6d1df3a1e6c7d7c268bfe491b2306cb6b099ad/src/%E8%81%94%E7%BD%91%E6%9F%A5%E6%9D%80/demo (test/kscomdll.h by a kingsoft.net author: KSDllGetClassObject, KSDllGetClassCount, KSDllGetClassInfo, KSDllCanUnloadNow; files/NetScanner: kxecore/kxecore.dll, ksecansp.dll, kcldscan.dll, ksrengcfg.ini naming ksreng3.dll, config/ksecore.netdetcfg.xml, config/kspfeng.filemonfilter.xml); KSafe SDK loader: https://github.com/chenhunhun/chtmoneyhub/blob/244b141bfe55131e011918cc4d301bdb41d5e3ec/br_moneyhub3.1/BankUI/CloudCheck/ksafesdk/ksafesdk_loader.cpp (ksafesdk.dll: ksafeInitialize, ksafeUninitialize, ksafeScanFileW)"
    strings:
        $api1 = "KSDllGetClassObject" ascii
        $api2 = "KSDllGetClassCount" ascii
        $api3 = "KSDllGetClassInfo" ascii
        $api4 = "KSDllCanUnloadNow" ascii
        $api5 = "ksafeInitialize" ascii
        $api6 = "ksafeScanFileW" ascii
        $api7 = "ksafeUninitialize" ascii
        $file1 = "kxecore.dll" ascii nocase
        $file2 = "ksecansp.dll" ascii nocase
        $file3 = "kcldscan.dll" ascii nocase
        $file4 = "ksreng3.dll" ascii nocase
        $file5 = "ksafesdk.dll" ascii nocase
        $file6 = "ksrengcfg.ini" ascii nocase
        $file7 = "ksecore.netdetcfg.xml" ascii nocase
        $file8 = "kspfeng.filemonfilter.xml" ascii nocase
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and any of ($api*) and any of ($file*)
}
