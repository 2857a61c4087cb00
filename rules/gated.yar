/*
 * trustscan's gated YARA rules (docs/rules.md, "Gated rules"): each runs only on the files where
 * the rule of the same name tagged `gate` in index.yar matched, and its match takes that one's
 * place. Compiled beside index.yar into the same namespace.
 *
 * Explicit list, no globbing, like index.yar.
 */

include "gated/kaspersky.yar"
include "gated/drweb.yar"
include "gated/kingsoft.yar"
