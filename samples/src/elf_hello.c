/* Plain PIE executable (elf/hello). */
#include <stdio.h>

int main(void)
{
    puts("hello from a trustscan sample");
    return 0;
}
