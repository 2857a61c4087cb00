/*
 * Kernel-module-shaped relocatable object (elf/demo.ko), built with plain `gcc -c`
 * and no kernel headers. Mirrors what Kbuild produces for demo.o + demo.mod.o:
 *   .modinfo                    NUL-separated "key=value" strings (MODULE_* + modpost)
 *   .gnu.linkonce.this_module   struct module __this_module (name/init/exit)
 *   __versions                  modversions CRC table
 *   init_module/cleanup_module  aliases of the module_init/module_exit functions
 */
extern int _printk(const char *fmt, ...);

__attribute__((section(".init.text"), used)) static int demo_init(void)
{
    _printk("\0016demo: loaded\n");
    return 0;
}

__attribute__((section(".exit.text"), used)) static void demo_exit(void)
{
    _printk("\0016demo: unloaded\n");
}

int init_module(void) __attribute__((alias("demo_init")));
void cleanup_module(void) __attribute__((alias("demo_exit")));

/* One array so the byte layout is exact: each string NUL-terminated, in kernel order. */
__attribute__((section(".modinfo"), used, aligned(1)))
static const char demo_modinfo[] =
    "license=GPL\0"
    "author=Trustscan Test Suite <tests@example.invalid>\0"
    "description=Synthetic demo module for trustscan tests\0"
    "srcversion=5F1D2B6C0E9A3B47C8D1E2F\0"
    "depends=\0"
    "retpoline=Y\0"
    "name=demo\0"
    "vermagic=6.1.0-99-amd64 SMP preempt mod_unload modversions "; /* final NUL implicit */

struct modversion_info { unsigned long crc; char name[64 - sizeof(unsigned long)]; };
__attribute__((section("__versions"), used, aligned(32)))
static const struct modversion_info demo_versions[] = {
    { 0x5b8239ca, "__fentry__" },
    { 0x92997ed8, "_printk" },
    { 0xbdfb6dbb, "module_layout" },
};

/* Leading layout of struct module (state, list, name[56]); rest elided. */
struct module {
    int state;
    struct { void *next, *prev; } list;
    char name[64 - sizeof(unsigned long)];
    int (*init)(void);
    void (*exit)(void);
};
__attribute__((section(".gnu.linkonce.this_module"), used))
struct module __this_module = {
    .name = "demo",
    .init = init_module,
    .exit = cleanup_module,
};
