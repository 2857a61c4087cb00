/*
 * Doctor Web (Dr.Web) — vendor slug "drweb"; jurisdiction: Russia.
 * Facts and sources: research/vendor-origins.md §1a#2 (source keys in each rule's reference meta).
 * Gated rules (docs/rules.md, "Gated rules"): run only on files where the gate of the same name in
 * rules/vendors/drweb.yar matched.
 * Edit by hand; encode version-resource values and DER names with tools/rule_lint.py (rules/README.md).
 */

rule DrWeb_VirusFindingEngine : engine
{
    meta:
        vendor = "doctor-web"
        description = "The Dr.Web Virus-Finding Engine (drweb32.dll) shipped inside another product, whatever it is called: its code at the engine module's entry point (B8 01 00 00 00 C2 0C 00 8D 80 00 00 00 00 8B D2 8B ?? 24 04, catalogued as 'Dr.Web Virus-Finding Engine -> InSoft EDV-Systeme', an OEM licensee) together with the engine's own file names (drweb32.dll, virus bases drwebase.vdb, drwnasty.vdb, drwrisky.vdb, drwtoday.vdb, key drweb32.key); neither alone"
        confidence = "medium"
        reference = "PEiD signature database as published in public YARA conversions (search-index file ids 7051520590, 68617743649, 68365747766: entry-point bytes of 'Dr.Web Virus-Finding Engine -> InSoft EDV-Systeme'); https://cdn-download.drweb.com/pub/drweb/unix/workstation/11.1/documentation/html/en/dw_8_structure.htm (library drweb32.dll); base and key names in public scripts and notes (ids 3508452655: drwebase.vdb, drwnasty.vdb, drwrisky.vdb; 29951283102: bases/drwtoday.vdb; 21145835813 and 44311232135: drweb32.key)"
    strings:
        $code = { B8 01 00 00 00 C2 0C 00 8D 80 00 00 00 00 8B D2 8B ?? 24 04 }
        $file1 = "drweb32.dll" ascii nocase
        $file2 = "drwebase.vdb" ascii nocase
        $file3 = "drwnasty.vdb" ascii nocase
        $file4 = "drwrisky.vdb" ascii nocase
        $file5 = "drwtoday.vdb" ascii nocase
        $file6 = "drweb32.key" ascii nocase
    condition:
        uint16(0) == 0x5A4D and $code and any of ($file*)
}
