// Per-rule tests for the shipped vendor rules (rules/vendors/*.yar): every artefact a rule
// encodes has a positive snippet that must fire exactly that rule, and byte lists that merely
// *mention* the same vendors (as EDR killers, AV removers or competitor tables do) must fire none.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "match/matcher.hpp"
#include "match/rule_set.hpp"
#include "unit/match/snippets.hpp"

using namespace trustscan;
namespace snip = trustscan::test::snippets;

namespace {

enum class Kind {
  Cert,      ///< a = certificate CN/O value -> DER RDN anywhere in the file
  Version,   ///< a = VS_VERSIONINFO key, b = value -> String entry in a PE
  Pdb,       ///< a = PDB file name -> CodeView record with a build path, in a PE
  Engine,    ///< a, b = SDK tokens (engine features of two kinds, or two tokens) -> in a PE
  Name,      ///< a = an engine product name alone -> in a PE (a low-confidence claim)
  FileName,  ///< a = file name -> empty PE scanned with filename = a
};

struct Case {
  std::string_view rule;
  Kind kind;
  std::string_view a;
  std::string_view b;
};

/// The code at the entry point of the Dr.Web Virus-Finding Engine (drweb32.dll), with 0x44 for
/// the rule's wildcard byte.
constexpr std::string_view kDrWebEngineEntry{
    "\xB8\x01\x00\x00\x00\xC2\x0C\x00\x8D\x80\x00\x00\x00\x00\x8B\xD2\x8B\x44\x24\x04", 20};

// One row per artefact encoded in the rules (values from research/vendor-origins.md and the
// rules' reference meta).
constexpr Case kCases[] = {
    {"Kaspersky_CertSubject", Kind::Cert, "AO Kaspersky Lab", ""},
    {"Kaspersky_CertSubject", Kind::Cert, "Kaspersky Lab ZAO", ""},
    {"Kaspersky_CertSubject", Kind::Cert, "Kaspersky Lab JSC", ""},
    {"Kaspersky_CertSubject", Kind::Cert, "Kaspersky Lab", ""},
    {"Kaspersky_CertSubject", Kind::Cert, "Kaspersky Anti-Virus Personal Root Certificate", ""},
    {"Kaspersky_VersionInfo", Kind::Version, "CompanyName", "AO Kaspersky Lab"},
    {"Kaspersky_VersionInfo", Kind::Version, "CompanyName", "Kaspersky Lab"},
    {"Kaspersky_VersionInfo", Kind::Version, "ProductName", "Kaspersky Lab Anti-Rootkit Monitor Driver"},
    {"Kaspersky_VersionInfo", Kind::Version, "FileDescription", "Kaspersky Lab Anti-Rootkit Monitor Driver"},
    {"Kaspersky_VersionInfo", Kind::Version, "LegalCopyright", "Copyright (C) 1997-2019 Kaspersky Lab."},
    {"Kaspersky_VersionInfo", Kind::Version, "LegalTrademarks", "Anti-Virus is registered trademark of Kaspersky Lab ZAO"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klif.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klflt.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klhk.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klgse.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klim6.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klwfp.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klwtp.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "kneps.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "kltdi.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "kl1.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klkbdflt.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klkbdflt2.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klmouflt.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klpd.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klpnpflt.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "kldisk.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klids.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klelam.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "cm_km.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klbackupflt.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klbackupdisk.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klboot.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klfdefsf.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klrsps.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klsnsr.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klifks.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klifaa.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klifsm.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klam.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klbg.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "kldback.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "kldlinf.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "kldtool.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klcdp.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klshadow.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klsysrec.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klvfs.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klfle.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klvirt.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klsec.sys"},
    {"Kaspersky_DriverName", Kind::Version, "OriginalFilename", "klupd_klif_arkmon.sys"},
    {"Kaspersky_ScanEngineSdk", Kind::Engine, "KAV_O_M_PACKED", "KAVScanningSettings"},
    {"Kaspersky_KavSdkEngine", Kind::Engine, "kaveInitializeEx", "KAV_O_M_PACKED"},   // API + mode key
    {"Kaspersky_KavSdkEngine", Kind::Engine, "kaveScanStream", "appinfo.kli"},       // API + file
    {"Kaspersky_KavSdkEngine", Kind::Engine, "KAV_SHT_ENGINE_KLAV", "Kave8.dll"},    // mode key + file
    {"Kaspersky_EngineName", Kind::Name, "Kaspersky Scan Engine", ""},
    {"Kaspersky_EngineName", Kind::Name, "Kaspersky Anti-Virus Software Development Kit", ""},
    {"Kaspersky_DriverFileName", Kind::FileName, "klupd_KES-21-9_arkmon.sys", ""},
    {"Kaspersky_DriverFileName", Kind::FileName, "KLIF.KES-21-9.sys", ""},
    {"DrWeb_CertSubject", Kind::Cert, "Doctor Web Ltd.", ""},
    {"DrWeb_CertSubject", Kind::Cert, "Doctor Web, Ltd.", ""},
    {"DrWeb_CertSubject", Kind::Cert, "Doctor Web", ""},
    {"DrWeb_VersionInfo", Kind::Version, "CompanyName", "Doctor Web"},
    {"DrWeb_VersionInfo", Kind::Version, "ProductName", "Dr.Web"},
    {"DrWeb_VersionInfo", Kind::Version, "FileDescription", "Dr.Web"},
    {"DrWeb_DriverName", Kind::Version, "OriginalFilename", "spiderg3.sys"},
    {"DrWeb_DriverName", Kind::Version, "OriginalFilename", "dwprot.sys"},
    {"DrWeb_DriverName", Kind::Version, "OriginalFilename", "dwshield.sys"},
    {"DrWeb_DriverName", Kind::Version, "OriginalFilename", "dwshield64.sys"},
    {"DrWeb_DriverName", Kind::Version, "OriginalFilename", "drwebfwft.sys"},
    {"DrWeb_DriverName", Kind::Version, "OriginalFilename", "drwebfwflt.sys"},
    {"DrWeb_DriverName", Kind::Version, "OriginalFilename", "dwdg.sys"},
    {"DrWeb_EngineName", Kind::Name, "Dr.Web Virus-Finding Engine", ""},
    {"DrWeb_EngineName", Kind::Name, "Dr.Web Scanning Engine", ""},
    {"DrWeb_VirusFindingEngine", Kind::Engine, kDrWebEngineEntry, "drwtoday.vdb"},  // code + base
    {"DrWeb_VirusFindingEngine", Kind::Engine, kDrWebEngineEntry, "DRWEB32.DLL"},   // code + module
    {"PositiveTechnologies_VersionInfo", Kind::Version, "CompanyName", "Positive Technologies"},
    {"PositiveTechnologies_VersionInfo", Kind::Version, "CompanyName", "JSC Positive Technologies"},
    {"PositiveTechnologies_DriverName", Kind::Version, "OriginalFilename", "mpxmon.sys"},
    {"InfoWatch_VersionInfo", Kind::Version, "CompanyName", "InfoWatch"},
    {"InfoWatch_DriverName", Kind::Version, "OriginalFilename", "iwhlp2.sys"},
    {"InfoWatch_DriverName", Kind::Version, "OriginalFilename", "iwhlpxp.sys"},
    {"InfoWatch_DriverName", Kind::Version, "OriginalFilename", "iwhlp.sys"},
    {"InfoWatch_DriverName", Kind::Version, "OriginalFilename", "iwdmfs.sys"},
    {"InfoWatch_DriverName", Kind::Version, "OriginalFilename", "iwcseflt.sys"},
    {"GroupIB_VersionInfo", Kind::Version, "CompanyName", "Group-IB"},
    {"GroupIB_VersionInfo", Kind::Version, "ProductName", "Group-IB THF Huntpoint"},
    {"GroupIB_VersionInfo", Kind::Version, "FileDescription", "Group-IB THF Huntpoint"},
    {"GroupIB_VersionInfo", Kind::Version, "LegalCopyright", "Copyright (C) 1997-2019 Group-IB LTD."},
    {"GroupIB_DriverName", Kind::Version, "OriginalFilename", "gibepext.sys"},
    {"GroupIB_DriverName", Kind::Version, "OriginalFilename", "gibepcore.sys"},
    {"GroupIB_DriverName", Kind::Version, "OriginalFilename", "gibepdevflt.sys"},
    {"GroupIB_PdbPath", Kind::Pdb, "gibepext.pdb", ""},
    {"BiZone_VersionInfo", Kind::Version, "CompanyName", "BiZone"},
    {"BiZone_DriverName", Kind::Version, "OriginalFilename", "bzsenth.sys"},
    {"BiZone_DriverName", Kind::Version, "OriginalFilename", "bzsenyaradrv.sys"},
    {"BiZone_DriverName", Kind::Version, "OriginalFilename", "bzsenspdrv.sys"},
    {"Yandex_VersionInfo", Kind::Version, "CompanyName", "Yandex"},
    {"Yandex_DriverName", Kind::Version, "OriginalFilename", "bmregdrv.sys"},
    {"Yandex_DriverName", Kind::Version, "OriginalFilename", "bmfsdrv.sys"},
    {"Agnitum_CertSubject", Kind::Cert, "Agnitum Ltd.", ""},
    {"SecurityCode_VersionInfo", Kind::Version, "CompanyName", "Security Code LLC"},
    {"SecurityCode_DriverName", Kind::Version, "OriginalFilename", "scauthfsflt.sys"},
    {"SecurityCode_DriverName", Kind::Version, "OriginalFilename", "scauthiodrv.sys"},
    {"Informzaschita_VersionInfo", Kind::Version, "CompanyName", "Informzaschita"},
    {"Informzaschita_DriverName", Kind::Version, "OriginalFilename", "sndacs.sys"},
    {"Informzaschita_DriverName", Kind::Version, "OriginalFilename", "snexequota.sys"},
    {"Informzaschita_DriverName", Kind::Version, "OriginalFilename", "snefs.sys"},
    {"Informzaschita_DriverName", Kind::Version, "OriginalFilename", "snmc5xx.sys"},
    {"Informzaschita_DriverName", Kind::Version, "OriginalFilename", "sneraser.sys"},
    {"CryptoPro_VersionInfo", Kind::Version, "CompanyName", "Crypto-Pro"},
    {"CryptoPro_DriverName", Kind::Version, "OriginalFilename", "cpefs.sys"},
    {"CryptoPro_DriverName", Kind::Version, "OriginalFilename", "cproctrl.sys"},
    {"Infotecs_VersionInfo", Kind::Version, "CompanyName", "Infotecs"},
    {"Infotecs_DriverName", Kind::Version, "OriginalFilename", "kc3.sys"},
    {"VK_VersionInfo", Kind::Version, "CompanyName", "Mail.Ru"},
    {"VK_DriverName", Kind::Version, "OriginalFilename", "mracdrv.sys"},
    {"Qihoo360_CertSubject", Kind::Cert, "Qihoo 360 Software (Beijing) Company Limited", ""},
    {"Qihoo360_CertSubject", Kind::Cert, "QIHU 360 SOFTWARE CO. LIMITED", ""},
    {"Qihoo360_CertSubject", Kind::Cert, "360.cn", ""},
    {"Qihoo360_CertSubject", Kind::Cert, "Beijing Qihu Technology Co., Ltd.", ""},
    {"Qihoo360_CertSubject", Kind::Cert, "Qihoo 360 Software Co., Ltd.", ""},
    {"Qihoo360_VersionInfo", Kind::Version, "CompanyName", "Qihoo 360"},
    {"Qihoo360_VersionInfo", Kind::Version, "CompanyName", "360.cn"},
    {"Qihoo360_VersionInfo", Kind::Version, "CompanyName", "Beijing Qihoo Technology"},
    {"Qihoo360_VersionInfo", Kind::Version, "ProductName", "Qihoo360 Kernel Mode Driver"},
    {"Qihoo360_VersionInfo", Kind::Version, "FileDescription", "Qihoo360 Kernel Mode Driver"},
    {"Qihoo360_VersionInfo", Kind::Version, "CompanyName", "360安全中心"},
    {"Qihoo360_DriverName", Kind::Version, "OriginalFilename", "360fsflt.sys"},
    {"Qihoo360_DriverName", Kind::Version, "OriginalFilename", "360avflt.sys"},
    {"Qihoo360_DriverName", Kind::Version, "OriginalFilename", "360qpesv.sys"},
    {"Qihoo360_DriverName", Kind::Version, "OriginalFilename", "360qpesv64.sys"},
    {"Qihoo360_DriverName", Kind::Version, "OriginalFilename", "dsark.sys"},
    {"Qihoo360_DriverName", Kind::Version, "OriginalFilename", "dsark64.sys"},
    {"Qihoo360_DriverName", Kind::Version, "OriginalFilename", "360box.sys"},
    {"Qihoo360_DriverName", Kind::Version, "OriginalFilename", "360box64.sys"},
    {"Qihoo360_DriverName", Kind::Version, "OriginalFilename", "qutmdrv.sys"},
    {"Qihoo360_DriverName", Kind::Version, "OriginalFilename", "atdragent.sys"},
    {"Qihoo360_DriverName", Kind::Version, "OriginalFilename", "atdragent64.sys"},
    {"Qihoo360_DriverName", Kind::Version, "OriginalFilename", "360netmon.sys"},
    {"Qihoo360_DriverName", Kind::Version, "OriginalFilename", "360hvm64.sys"},
    {"Qihoo360_DriverNameIndicative", Kind::Version, "OriginalFilename", "360antisteal.sys"},
    {"Qihoo360_DriverNameIndicative", Kind::Version, "OriginalFilename", "360antisteal64.sys"},
    {"Qihoo360_DriverNameIndicative", Kind::Version, "OriginalFilename", "360antihacker64.sys"},
    {"Qihoo360_DriverNameIndicative", Kind::Version, "OriginalFilename", "360antihijack64.sys"},
    {"Qihoo360_DriverNameIndicative", Kind::Version, "OriginalFilename", "360antiexploit64.sys"},
    {"Qihoo360_DriverNameIndicative", Kind::Version, "OriginalFilename", "360sensor64.sys"},
    {"Qihoo360_PdbPath", Kind::Pdb, "DsArk64.pdb", ""},
    {"QiAnXin_VersionInfo", Kind::Version, "CompanyName", "Beijing QiAnXin"},
    {"QiAnXin_DriverName", Kind::Version, "OriginalFilename", "qminspec.sys"},
    {"QiAnXin_DriverNameIndicative", Kind::Version, "OriginalFilename", "qaxnfdrv.sys"},
    {"QiAnXin_DriverNameIndicative", Kind::Version, "OriginalFilename", "qkbasechain64.sys"},
    {"QiAnXin_DriverNameIndicative", Kind::Version, "OriginalFilename", "qknetfilter.sys"},
    {"QiAnXin_DriverNameIndicative", Kind::Version, "OriginalFilename", "qksecureio.sys"},
    {"QiAnXin_DriverNameIndicative", Kind::Version, "OriginalFilename", "qesengex.sys"},
    {"QiAnXin_DriverNameIndicative", Kind::Version, "OriginalFilename", "qkhelp64.sys"},
    {"Tencent_CertSubject", Kind::Cert, "Tencent Technology (Shenzhen) Company Limited", ""},
    {"Tencent_CertSubject", Kind::Cert, "Shenzhen Tencent Computer Systems Company Limited", ""},
    {"Tencent_VersionInfo", Kind::Version, "CompanyName", "Tencent"},
    {"Tencent_VersionInfo", Kind::Version, "FileDescription", "电脑管家-驱动模块"},
    {"Tencent_DriverName", Kind::Version, "OriginalFilename", "qqprotect.sys"},
    {"Tencent_DriverName", Kind::Version, "OriginalFilename", "qqprotectx64.sys"},
    {"Tencent_DriverName", Kind::Version, "OriginalFilename", "tsqbdrv.sys"},
    {"Tencent_DriverName", Kind::Version, "OriginalFilename", "tesmon.sys"},
    {"Tencent_DriverName", Kind::Version, "OriginalFilename", "qqsysmon.sys"},
    {"Tencent_DriverName", Kind::Version, "OriginalFilename", "qqsysmonx64.sys"},
    {"Tencent_DriverName", Kind::Version, "OriginalFilename", "tsyscare.sys"},
    {"Tencent_DriverName", Kind::Version, "OriginalFilename", "tfsflt.sys"},
    {"Tencent_DriverName", Kind::Version, "OriginalFilename", "tenrsafe2.sys"},
    {"Tencent_DriverName", Kind::Version, "OriginalFilename", "tesxporter.sys"},
    {"Tencent_DriverName", Kind::Version, "OriginalFilename", "tesxnginx.sys"},
    {"Tencent_DriverName", Kind::Version, "OriginalFilename", "qmbsec.sys"},
    {"Tencent_DriverNameIndicative", Kind::Version, "OriginalFilename", "qqsysmonx64_ev.sys"},
    {"Tencent_DriverNameIndicative", Kind::Version, "OriginalFilename", "qmudisk64_ev.sys"},
    {"Tencent_DriverNameIndicative", Kind::Version, "OriginalFilename", "taokernelex64_ev.sys"},
    {"Tencent_DriverNameIndicative", Kind::Version, "OriginalFilename", "tfsfltx64_ev.sys"},
    {"Tencent_DriverNameIndicative", Kind::Version, "OriginalFilename", "taoacceleratorex64_ev.sys"},
    {"Tencent_DriverNameIndicative", Kind::Version, "OriginalFilename", "qmnetmonw64.sys"},
    {"Tencent_PdbPath", Kind::Pdb, "qmbsec.pdb", ""},
    {"Tencent_GameProtectSdk", Kind::Engine, "Tp2SdkInitEx", "libtersafe2.so"},
    {"AntiCheatExpert_CertSubject", Kind::Cert, "HIGH MORALE DEVELOPMENTS LIMITED", ""},
    {"AntiCheatExpert_VersionInfo", Kind::Version, "CompanyName", "ANTICHEATEXPERT.COM"},
    {"AntiCheatExpert_VersionInfo", Kind::Version, "ProductName", "Anti-Cheat Expert"},
    {"AntiCheatExpert_VersionInfo", Kind::Version, "FileDescription", "Anti-Cheat Expert"},
    {"AntiCheatExpert_VersionInfo", Kind::Version, "ProductName", "ACE-BASE64 NT Driver"},
    {"AntiCheatExpert_VersionInfo", Kind::Version, "FileDescription", "ACE-BASE64 NT Driver"},
    {"AntiCheatExpert_VersionInfo", Kind::Version, "LegalCopyright", "Copyright (C) 1997-2019 AntiCheatExpert.com Limited."},
    {"AntiCheatExpert_DriverName", Kind::Version, "OriginalFilename", "ace-base.sys"},
    {"AntiCheatExpert_PdbPath", Kind::Pdb, "ACE-BASE.pdb", ""},
    {"Kingsoft_CertSubject", Kind::Cert, "Beijing Kingsoft Security software Co.,Ltd", ""},
    {"Kingsoft_CertSubject", Kind::Cert, "北京金山安全软件有限公司", ""},
    {"Kingsoft_VersionInfo", Kind::Version, "CompanyName", "Beijing Kingsoft"},
    {"Kingsoft_VersionInfo", Kind::Version, "CompanyName", "Cheetah Mobile"},
    {"Kingsoft_VersionInfo", Kind::Version, "ProductName", "Kingsoft Antivirus Security System"},
    {"Kingsoft_VersionInfo", Kind::Version, "FileDescription", "Kingsoft Antivirus Security System"},
    {"Kingsoft_VersionInfo", Kind::Version, "ProductName", "Kingsoft Internet Security"},
    {"Kingsoft_VersionInfo", Kind::Version, "FileDescription", "Kingsoft Internet Security"},
    {"Kingsoft_DriverName", Kind::Version, "OriginalFilename", "ksapi.sys"},
    {"Kingsoft_DriverName", Kind::Version, "OriginalFilename", "ksapi64.sys"},
    {"Kingsoft_DriverName", Kind::Version, "OriginalFilename", "ktdifilt.sys"},
    {"Kingsoft_DriverName", Kind::Version, "OriginalFilename", "kisknl.sys"},
    {"Kingsoft_DriverName", Kind::Version, "OriginalFilename", "ksfsflt.sys"},
    {"Kingsoft_DriverName", Kind::Version, "OriginalFilename", "dgsafe.sys"},
    {"Kingsoft_DriverName", Kind::Version, "OriginalFilename", "wdocsafe.sys"},
    {"Kingsoft_DriverName", Kind::Version, "OriginalFilename", "lbprotect.sys"},
    {"Kingsoft_PdbPath", Kind::Pdb, "ksapi64.pdb", ""},
    {"Kingsoft_PdbPath", Kind::Pdb, "kdhacker64.pdb", ""},
    {"Kingsoft_EngineSdk", Kind::Engine, "KSDllGetClassObject", "kxecore.dll"},
    {"Kingsoft_EngineSdk", Kind::Engine, "ksafeScanFileW", "ksafesdk.dll"},
    {"Kingsoft_EngineSdk", Kind::Engine, "KSDllCanUnloadNow", "ksrengcfg.ini"},
    {"Huorong_VersionInfo", Kind::Version, "CompanyName", "Beijing Huorong Network Technology"},
    {"Huorong_VersionInfo", Kind::Version, "CompanyName", "Huorong Security"},
    {"Huorong_VersionInfo", Kind::Version, "CompanyName", "HeroBravo Technology"},
    {"Huorong_VersionInfo", Kind::Version, "ProductName", "Huorong eXtendible Stream Scan Engine"},
    {"Huorong_VersionInfo", Kind::Version, "FileDescription", "Huorong eXtendible Stream Scan Engine"},
    {"Huorong_VersionInfo", Kind::Version, "ProductName", "Huorong Internet Security Core Kext"},
    {"Huorong_VersionInfo", Kind::Version, "FileDescription", "Huorong Internet Security Core Kext"},
    {"Huorong_VersionInfo", Kind::Version, "LegalCopyright", "Copyright (C) 1997-2019 Huorong Security Lab."},
    {"Huorong_DriverName", Kind::Version, "OriginalFilename", "sysdiag.sys"},
    {"Huorong_DriverName", Kind::Version, "OriginalFilename", "sysdiag_win10.sys"},
    {"Huorong_DriverName", Kind::Version, "OriginalFilename", "nxeng.sys"},
    {"Baidu_CertSubject", Kind::Cert, "Baidu Online Network Technology (Beijing)Co., Ltd", ""},
    {"Baidu_CertSubject", Kind::Cert, "Baidu Online Network Technology (Beijing) Co.,Ltd.", ""},
    {"Baidu_VersionInfo", Kind::Version, "CompanyName", "Baidu Online Network"},
    {"Baidu_VersionInfo", Kind::Version, "CompanyName", "Baidu (beijing)"},
    {"Baidu_VersionInfo", Kind::Version, "CompanyName", "Baidu (Hong Kong)"},
    {"Baidu_VersionInfo", Kind::Version, "ProductName", "Baidu Antivirus BdApi Driver"},
    {"Baidu_VersionInfo", Kind::Version, "FileDescription", "Baidu Antivirus BdApi Driver"},
    {"Baidu_DriverName", Kind::Version, "OriginalFilename", "bdapiutil.sys"},
    {"Baidu_DriverName", Kind::Version, "OriginalFilename", "bdapiutil64.sys"},
    {"Baidu_DriverName", Kind::Version, "OriginalFilename", "bdfiledefend.sys"},
    {"Baidu_DriverName", Kind::Version, "OriginalFilename", "bdsdkit.sys"},
    {"Baidu_DriverName", Kind::Version, "OriginalFilename", "bd0003.sys"},
    {"Baidu_DriverName", Kind::Version, "OriginalFilename", "bdsysmon.sys"},
    {"Baidu_DriverName", Kind::Version, "OriginalFilename", "bdrdfolder.sys"},
    {"Baidu_PdbPath", Kind::Pdb, "BdApiUtil64.pdb", ""},
    {"Rising_CertSubject", Kind::Cert, "Beijing Rising Network Security Technology Co., Ltd.", ""},
    {"Rising_VersionInfo", Kind::Version, "CompanyName", "Beijing Rising"},
    {"Rising_VersionInfo", Kind::Version, "ProductName", "Rising AntiVirus"},
    {"Rising_VersionInfo", Kind::Version, "FileDescription", "Rising AntiVirus"},
    {"Rising_DriverName", Kind::Version, "OriginalFilename", "rspot.sys"},
    {"Rising_DriverName", Kind::Version, "OriginalFilename", "rsndisp.sys"},
    {"Rising_PdbPath", Kind::Pdb, "rspot_win10-x64.pdb", ""},
    {"Rising_PdbPath", Kind::Pdb, "rsndisp_win10-x64.pdb", ""},
    {"Antiy_CertSubject", Kind::Cert, "Antiy Labs", ""},
    {"Antiy_DriverName", Kind::Version, "OriginalFilename", "atoolskrnl64.sys"},
    {"Antiy_DriverNameIndicative", Kind::Version, "OriginalFilename", "ahipsfilter.sys"},
    {"Antiy_DriverNameIndicative", Kind::Version, "OriginalFilename", "ahipsfilter64.sys"},
    {"Antiy_DriverNameIndicative", Kind::Version, "OriginalFilename", "ahipsxp.sys"},
    {"Antiy_DriverNameIndicative", Kind::Version, "OriginalFilename", "ahipsxp64.sys"},
    {"Antiy_DriverNameIndicative", Kind::Version, "OriginalFilename", "antiyusb.sys"},
    {"Antiy_DriverNameIndicative", Kind::Version, "OriginalFilename", "antiyusb64.sys"},
    {"Antiy_DriverNameIndicative", Kind::Version, "OriginalFilename", "atauxiliary.sys"},
    {"Antiy_DriverNameIndicative", Kind::Version, "OriginalFilename", "atauxiliary64.sys"},
    {"Antiy_PdbPath", Kind::Pdb, "AToolsKrnl64.pdb", ""},
    {"Filseclab_CertSubject", Kind::Cert, "Filseclab Corporation", ""},
    {"Filseclab_DriverName", Kind::Version, "OriginalFilename", "fildds.sys"},
    {"Filseclab_DriverName", Kind::Version, "OriginalFilename", "filnk.sys"},
    {"Filseclab_DriverName", Kind::Version, "OriginalFilename", "filwfp.sys"},
    {"Sangfor_VersionInfo", Kind::Version, "CompanyName", "Sangfor"},
    {"Sangfor_DriverName", Kind::Version, "OriginalFilename", "sfavflt.sys"},
    {"Huawei_CertSubject", Kind::Cert, "Huawei Technologies Co.,Ltd.", ""},
    {"Huawei_CertSubject", Kind::Cert, "Huawei Technologies Co., Ltd.", ""},
    {"Huawei_CertSubject", Kind::Cert, "Huawei Device Co., Ltd.", ""},
    {"Huawei_DriverName", Kind::Version, "OriginalFilename", "hwos2ec.sys"},
    {"Huawei_DriverName", Kind::Version, "OriginalFilename", "hwauidoos2ec.sys"},
    {"Honor_CertSubject", Kind::Cert, "Honor Device Co., Ltd.", ""},
    {"NetEase_CertSubject", Kind::Cert, "NetEase(Hangzhou) Network Co. Ltd.", ""},
    {"NetEase_DriverName", Kind::Version, "OriginalFilename", "neacsafe.sys"},
    {"NetEase_DriverName", Kind::Version, "OriginalFilename", "neacsafe64.sys"},
    {"MiHoYo_CertSubject", Kind::Cert, "miHoYo Co.,Ltd.", ""},
    {"MiHoYo_CertSubject", Kind::Cert, "COGNOSPHERE PTE. LTD.", ""},
    {"MiHoYo_DriverName", Kind::Version, "OriginalFilename", "mhyprot.sys"},
    {"MiHoYo_DriverName", Kind::Version, "OriginalFilename", "mhyprot2.sys"},
    {"MiHoYo_DriverName", Kind::Version, "OriginalFilename", "mhyprot3.sys"},
    {"IObit_CertSubject", Kind::Cert, "IObit Information Technology", ""},
    {"IObit_CertSubject", Kind::Cert, "IObit CO., LTD", ""},
    {"IObit_DriverName", Kind::Version, "OriginalFilename", "iobitunlocker.sys"},
    {"IObit_DriverName", Kind::Version, "OriginalFilename", "iuforcedelete.sys"},
    {"IObit_DriverName", Kind::Version, "OriginalFilename", "imffilter.sys"},
};

std::string positive_snippet(const Case& c) {
  switch (c.kind) {
    case Kind::Cert: return std::string("\x30\x82\x04\x00", 4) + snip::der_common_name(c.a) + "\x30\x0d";
    case Kind::Version:
      return snip::pe_with(snip::version_string("FileVersion", "1.2.3.4") + snip::version_string(c.a, c.b));
    case Kind::Pdb: return snip::pe_with(snip::codeview_pdb("D:\\build\\x64\\Release\\" + std::string(c.a)));
    case Kind::Engine:
      return snip::pe_with(std::string(c.a) + '\0' + "padding" + '\0' + std::string(c.b) + '\0');
    case Kind::Name: return snip::pe_with(std::string(c.a) + '\0');
    case Kind::FileName: return snip::pe_with("");
  }
  return {};
}

/// Every vendor name, driver name, product string and PDB name the rules know, once.
std::vector<std::string> all_mentioned_names() {
  std::set<std::string> names;
  for (const auto& c : kCases) {
    if (c.kind == Kind::Version) names.emplace(c.b);
    if (c.kind == Kind::Cert || c.kind == Kind::Pdb || c.kind == Kind::FileName) names.emplace(c.a);
  }
  return {names.begin(), names.end()};
}

std::vector<std::string> rule_names(const std::vector<match::RuleMatch>& hits) {
  std::vector<std::string> out;
  for (const auto& h : hits) out.push_back(h.rule);
  return out;
}

const match::RuleSet& shipped() {
  static const auto rules = match::RuleSet::compile({std::filesystem::path(TRUSTSCAN_SOURCE_DIR) / "rules"});
  if (!rules) FAIL(rules.error().message);
  return *rules;
}

}  // namespace

TEST_CASE("every shipped rule has positive test cases", "[match][rules]") {
  std::set<std::string_view> covered;
  for (const auto& c : kCases) covered.insert(c.rule);
  for (const auto& r : shipped().rules()) {
    INFO(r.name);
    CHECK(covered.count(r.name) == 1);
  }
  CHECK(covered.size() == shipped().rules().size());
}

TEST_CASE("each vendor artefact fires exactly its rule", "[match][rules]") {
  auto matcher = match::Matcher::create(shipped());
  REQUIRE(matcher);
  for (const auto& c : kCases) {
    const std::string data = positive_snippet(c);
    match::MatchExternals ext;
    if (c.kind == Kind::FileName) ext.filename = c.a;
    auto hits = matcher->scan(snip::bytes_of(data), ext);
    REQUIRE(hits);
    INFO(c.rule << " <- " << c.a << " " << c.b);
    CHECK(rule_names(*hits) == std::vector<std::string>{std::string(c.rule)});
    if (!hits->empty()) {
      const auto& meta = hits->front().meta;
      CHECK(!meta.at("vendor").empty());
      CHECK(!meta.at("description").empty());
    }
  }
}

TEST_CASE("version-resource rules need the PE context and the version-resource structure", "[match][rules]") {
  auto matcher = match::Matcher::create(shipped());
  REQUIRE(matcher);
  // The same String entry outside a PE (no MZ) does not fire.
  const std::string not_pe = "ELF." + snip::version_string("OriginalFilename", "klif.sys");
  CHECK(matcher->scan(snip::bytes_of(not_pe), {})->empty());
  // A UTF-16 literal "OriginalFilename" without the wType=1 header (e.g. a VerQueryValue path).
  const std::string literal = snip::pe_with(std::string("\\\0S\0t\0", 6) + snip::utf16le("OriginalFilename") + std::string(2, '\0') +
                                            snip::utf16le("klif.sys") + std::string(2, '\0'));
  CHECK(matcher->scan(snip::bytes_of(literal), {})->empty());
  // Case-insensitive driver names, exact length: klif.sys.bak is not klif.sys.
  CHECK(rule_names(*matcher->scan(snip::bytes_of(snip::pe_with(snip::version_string("OriginalFilename", "KLIF.SYS"))), {})) ==
        std::vector<std::string>{"Kaspersky_DriverName"});
  CHECK(matcher->scan(snip::bytes_of(snip::pe_with(snip::version_string("OriginalFilename", "klif.sys.bak"))), {})->empty());
}

TEST_CASE("files that merely list competitor names match no vendor rule", "[match][rules]") {
  auto matcher = match::Matcher::create(shipped());
  REQUIRE(matcher);
  const auto names = all_mentioned_names();
  REQUIRE(names.size() > 150);
  const std::string list = snip::mention_list(names);

  SECTION("an EDR killer / AV remover with its own version resource") {
    const std::string data = snip::pe_with(snip::version_string("CompanyName", "Totally Legit Tools") +
                                           snip::version_string("FileDescription", "Removes klif.sys, spiderg3.sys, 360FsFlt.sys") +
                                           snip::version_string("OriginalFilename", "edrkiller.exe") + list);
    auto hits = matcher->scan(snip::bytes_of(data), {.filename = "edrkiller.exe", .extension = "exe",
                                                     .format = Format::Pe, .privilege = Privilege::Kernel});
    REQUIRE(hits);
    CHECK(rule_names(*hits).empty());
  }
  SECTION("a Windows-Defender-like engine with competitor tables and its own certificate") {
    const std::string data =
        snip::pe_with(snip::version_string("CompanyName", "Microsoft Corporation") +
                      snip::version_string("LegalCopyright", "(c) Microsoft Corporation. All rights reserved.") +
                      snip::version_string("OriginalFilename", "mpengine.dll") + list +
                      snip::der_common_name("Microsoft Corporation"));
    auto hits = matcher->scan(snip::bytes_of(data), {.format = Format::Pe, .privilege = Privilege::User});
    REQUIRE(hits);
    CHECK(rule_names(*hits).empty());
  }
  SECTION("the same list in a Linux kernel module") {
    const std::string data = "\x7f" "ELF" + list;
    auto hits = matcher->scan(snip::bytes_of(data), {.format = Format::Elf, .privilege = Privilege::Kernel});
    REQUIRE(hits);
    CHECK(rule_names(*hits).empty());
  }
}

TEST_CASE("white-label engine rules need features of two kinds; a product name alone is a low claim",
          "[match][rules]") {
  auto matcher = match::Matcher::create(shipped());
  REQUIRE(matcher);
  const auto scan = [&](const std::vector<std::string>& parts) {
    std::string payload;
    for (const auto& p : parts) payload += p + '\0';
    match::MatchExternals ext;
    ext.format = Format::Pe;
    auto hits = matcher->scan(snip::bytes_of(snip::pe_with(payload)), ext);
    REQUIRE(hits);
    return *hits;
  };
  SECTION("a removal tool that names every engine file matches no engine rule") {
    // What an uninstaller or competitor remover carries: the files it deletes.
    const auto hits = scan({"Kave8.dll", "appinfo.kli", "kavhttpd.xml", "httpdkavlog.ini", "drweb32.dll",
                            "drwebase.vdb", "drwnasty.vdb", "drwrisky.vdb", "drwtoday.vdb", "drweb32.key",
                            "kxecore.dll", "ksecansp.dll", "kcldscan.dll", "ksreng3.dll", "ksafesdk.dll",
                            "ksrengcfg.ini", "ksecore.netdetcfg.xml", "kspfeng.filemonfilter.xml",
                            "libtersafe2.so"});
    CHECK(rule_names(hits).empty());
  }
  SECTION("API names of one SDK alone are one kind of feature") {
    CHECK(rule_names(scan({"kaveInitializeEx", "kaveInitializeService", "kaveScanFile", "kaveScanStream",
                           "kaveGetDatabasesInfo", "kaveReloadDatabases", "kaveGetLicenseInfo",
                           "kaveCancelAllScan"}))
              .empty());
    CHECK(rule_names(scan({"KSDllGetClassObject", "KSDllGetClassCount", "KSDllGetClassInfo",
                           "KSDllCanUnloadNow", "ksafeInitialize", "ksafeScanFileW", "ksafeUninitialize"}))
              .empty());
    CHECK(rule_names(scan({"Tp2SdkInitEx", "Tp2UserLogin", "Tp2SetGamestatus"})).empty());
  }
  SECTION("the Dr.Web engine's entry code alone is not the engine") {
    CHECK(rule_names(scan({std::string(kDrWebEngineEntry)})).empty());
  }
  SECTION("one KAV SDK mode key is neither the Scan Engine configuration nor the SDK") {
    CHECK(rule_names(scan({"KAV_O_M_PACKED"})).empty());
  }
  SECTION("product names fire only the low-confidence name rules") {
    const auto hits = scan({"Kaspersky Scan Engine", "Dr.Web Virus-Finding Engine"});
    auto names = rule_names(hits);
    std::ranges::sort(names);
    CHECK(names == std::vector<std::string>{"DrWeb_EngineName", "Kaspersky_EngineName"});
    for (const auto& h : hits) CHECK(h.meta.at("confidence") == "low");
  }
  SECTION("engine features in a file that is no executable fire nothing") {
    const std::string text = std::string("kaveInitializeEx\nKAV_O_M_PACKED\nKave8.dll\n");
    CHECK(matcher->scan(snip::bytes_of(text), {})->empty());
  }
}
