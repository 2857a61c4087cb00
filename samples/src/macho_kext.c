/* Kernel-extension-shaped Mach-O (macho/demo.kext), carrying a kmod_info like real kexts. */
typedef int kern_return_t;
extern int printf(const char *fmt, ...); /* resolved against the kernel at load time */

static kern_return_t demo_start(void *ki, void *d) { (void)ki; (void)d; printf("demo kext start\n"); return 0; }
static kern_return_t demo_stop(void *ki, void *d) { (void)ki; (void)d; printf("demo kext stop\n"); return 0; }

struct kmod_info {
    struct kmod_info *next;
    int info_version, id;
    char name[64], version[64];
    int reference_count;
    void *reference_list;
    unsigned long address, size, hdr_size;
    kern_return_t (*start)(void *, void *);
    kern_return_t (*stop)(void *, void *);
};

__attribute__((used)) struct kmod_info kmod_info = {
    .info_version = 1,
    .id = -1,
    .name = "com.example.trustscan.demo",
    .version = "1.0.0",
    .start = demo_start,
    .stop = demo_stop,
};
