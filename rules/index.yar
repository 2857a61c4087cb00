/*
 * trustscan's shipped YARA rules: vendor artefacts that survive white-labelling and missing
 * signatures (rules/README.md, docs/rules.md). Compiled once at start-up into namespace "rules".
 *
 * Explicit list, no globbing: a new vendor file is added here by hand, and
 * tools/rule_lint.py check fails when a file in vendors/ is missing from this list.
 */

// Russia
include "vendors/kaspersky.yar"
include "vendors/drweb.yar"
include "vendors/positive_technologies.yar"
include "vendors/infowatch.yar"
include "vendors/groupib.yar"
include "vendors/bizone.yar"
include "vendors/yandex.yar"
include "vendors/agnitum.yar"
include "vendors/securitycode.yar"
include "vendors/informzaschita.yar"
include "vendors/cryptopro.yar"
include "vendors/infotecs.yar"
include "vendors/vk.yar"

// China (incl. Hong Kong entities)
include "vendors/qihoo360.yar"
include "vendors/qianxin.yar"
include "vendors/tencent.yar"
include "vendors/anticheatexpert.yar"
include "vendors/kingsoft.yar"
include "vendors/huorong.yar"
include "vendors/baidu.yar"
include "vendors/rising.yar"
include "vendors/antiy.yar"
include "vendors/filseclab.yar"
include "vendors/sangfor.yar"
include "vendors/huawei.yar"
include "vendors/honor.yar"
include "vendors/netease.yar"
include "vendors/mihoyo.yar"
include "vendors/iobit.yar"
