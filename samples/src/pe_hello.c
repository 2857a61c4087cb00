/* Plain Win32 console program (pe/hello.exe, pe/version.exe). */
#include <stdio.h>

int main(void)
{
    puts("hello from a trustscan sample");
    return 0;
}
