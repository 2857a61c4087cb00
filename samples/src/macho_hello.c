/* Mach-O executable (macho/hello-x86_64, macho/hello-fat); links against libSystem.tbd stub. */
int puts(const char *s);

int main(void)
{
    puts("hello from a trustscan sample");
    return 0;
}
