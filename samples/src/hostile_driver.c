/*
 * Inert test driver for tools/make_hostile_samples.sh: DriverEntry returns at once. Each sample
 * is built with its own BANNER, so every sample has its own Authenticode hash (catalogs list
 * exactly one of them).
 *   default      imports DbgPrint from ntoskrnl.exe (link with the import library of ntoskrnl.def)
 *   NO_IMPORTS   imports nothing, so no kernel import says "driver"
 *   INIT_SECTION DriverEntry sits in an INIT section, as in drivers built by MSVC (discardable
 *                initialisation code)
 */
typedef long NTSTATUS;
typedef void *PVOID;

const char *volatile driver_banner = BANNER;

#ifdef INIT_SECTION
#define ENTRY_SECTION __attribute__((section("INIT")))
#else
#define ENTRY_SECTION
#endif

#ifdef NO_IMPORTS
ENTRY_SECTION NTSTATUS DriverEntry(PVOID driver_object, PVOID registry_path)
{
    (void)driver_object;
    (void)registry_path;
    return driver_banner[0] ? 0 : 1;
}
#else
__declspec(dllimport) unsigned long DbgPrint(const char *format, ...);

ENTRY_SECTION NTSTATUS DriverEntry(PVOID driver_object, PVOID registry_path)
{
    (void)driver_object;
    (void)registry_path;
    DbgPrint(driver_banner);
    return 0;
}
#endif
