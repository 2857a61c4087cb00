/*
 * Kaspersky (AO Kaspersky Lab) — vendor slug "kaspersky"; jurisdiction: Russia.
 * Facts and sources: research/vendor-origins.md §1a#1 (source keys in each rule's reference meta).
 * Gated rules (docs/rules.md, "Gated rules"): run only on files where the gate of the same name in
 * rules/vendors/kaspersky.yar matched.
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule Kaspersky_KavSdkEngine : engine
{
    meta:
        vendor = "kaspersky"
        description = "Integrates the Kaspersky Anti-Virus SDK 8 (KAV SDK), the engine under Kaspersky Scan Engine and white-labelled products, whatever the product is called: engine features of at least two independent kinds among the SDK API (kaveInitializeEx, kaveInitializeService, kaveScanFile, kaveScanStream, kaveGetDatabasesInfo, kaveReloadDatabases, kaveGetLicenseInfo, kaveCancelAllScan), its scan and host mode keys (KAV_O_M_PACKED, KAV_O_M_ARCHIVED, KAV_O_M_MAILPLAIN, KAV_O_M_MAILBASES, KAV_O_M_HEURISTIC_LEVEL_SHALLOW, KAV_SHT_ENGINE_KLAV, KAVScanningSettings) and its file names (Kave8.dll, appinfo.kli, kavhttpd.xml, httpdkavlog.ini); file names alone, all a removal tool carries, never suffice"
        confidence = "medium"
        reference = "public code in the search index: a KAV SDK 8 daemon example (file id 7163066466: kaveInitializeEx, kaveUninitialize, kaveScanFile, kaveScanStream, kaveGetVersion, kaveGetDatabasesInfo, kaveGetLicenseInfo, kaveReloadDatabases, KAV_SHT_INPROC | KAV_SHT_ENGINE_KLAV, KAV_O_M_PACKED | KAV_O_M_ARCHIVED | KAV_O_M_MAILPLAIN | KAV_O_M_HEURISTIC_LEVEL_SHALLOW, appinfo.kli), ClearFoundation KAVscan (id 5553609118: kaveInitializeService, kaveCancelAllScan, KAV_O_M_MAILBASES), a .NET wrapper (id 23933065647: DllImport Kave8.dll); https://support.kaspersky.com/ScanEngine/1.0/en-US/179867.htm (kavhttpd.xml); research/vendor-origins.md 3b [SCAN] (KAVScanningSettings, httpdkavlog.ini)"
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
        $file1 = "Kave8.dll" ascii nocase
        $file2 = "appinfo.kli" ascii nocase
        $file3 = "kavhttpd.xml" ascii nocase
        $file4 = "httpdkavlog.ini" ascii nocase
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F or uint32(0) == 0xFEEDFACF or
         uint32(0) == 0xFEEDFACE or uint32(0) == 0xBEBAFECA) and
        ((any of ($api*) and any of ($key*)) or (any of ($api*) and any of ($file*)) or
         (any of ($key*) and any of ($file*)))
}
