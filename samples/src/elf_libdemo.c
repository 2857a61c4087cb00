/* Shared object with two exported functions (elf/libdemo.so; elf/libdemo32.so, i386). */
int demo_add(int a, int b) { return a + b; }
const char *demo_name(void) { return "libdemo"; }
