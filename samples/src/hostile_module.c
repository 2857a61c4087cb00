/*
 * Kernel-module-shaped relocatable object for tools/make_hostile_samples.sh (plain `gcc -c`, no
 * kernel headers): .modinfo, __this_module, init/cleanup symbols. Never loaded.
 *   INTREE        .modinfo says intree=Y (modpost's mark of a module built in the kernel tree):
 *                 self-written metadata that nothing verifies
 *   ENGINE_TOKENS configuration tokens of the Kaspersky Scan Engine SDK kept as plain data,
 *                 the strings rules/vendors/kaspersky.yar (Kaspersky_ScanEngineSdk) looks for
 */
__attribute__((section(".init.text"), used)) static int hostile_init(void) { return 0; }
__attribute__((section(".exit.text"), used)) static void hostile_exit(void) {}
int init_module(void) __attribute__((alias("hostile_init")));
void cleanup_module(void) __attribute__((alias("hostile_exit")));

#ifdef ENGINE_TOKENS
__attribute__((used)) const char *const engine_settings[] = {
    "KAVScanningSettings", "KAV_O_M_PACKED", "KAV_O_M_ARCHIVED",
};
#endif

__attribute__((section(".modinfo"), used, aligned(1)))
static const char hostile_modinfo[] =
    "license=GPL\0"
    "description=HID event helper\0"
    "depends=\0"
    "retpoline=Y\0"
#ifdef INTREE
    "intree=Y\0"
#endif
    "name=hid_evhelper\0"
    "vermagic=6.1.0-99-amd64 SMP preempt mod_unload modversions ";

/* The head of struct module (state, list, name), as modpost's generated .mod.c fills it. */
struct module_head {
    int state;
    void *list[2];
    char name[56];
};
__attribute__((section(".gnu.linkonce.this_module"), used))
struct module_head __this_module = { .name = "hid_evhelper" };
