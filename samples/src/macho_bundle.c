/* Loadable MH_BUNDLE plug-in (macho/bundle). */
int puts(const char *s);

int bundle_entry(void)
{
    return puts("trustscan bundle loaded");
}
