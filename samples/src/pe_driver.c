/* Minimal WDM-style kernel driver (pe/driver.sys). Freestanding: no WDK headers. */
typedef long NTSTATUS;
typedef void *PVOID;

__declspec(dllimport) unsigned long DbgPrint(const char *format, ...);
__declspec(dllimport) NTSTATUS IoCreateDevice(PVOID driver, unsigned long ext_size, PVOID name,
                                              unsigned long type, unsigned long chars,
                                              unsigned char exclusive, PVOID *device);
__declspec(dllimport) void IoDeleteDevice(PVOID device);
__declspec(dllimport) void KeStallExecutionProcessor(unsigned long usec); /* HAL.dll */

/* A global pointer, so the image carries a base relocation (.reloc) like real drivers. */
const char *driver_banner = "demo driver loaded\n";

NTSTATUS DriverEntry(PVOID driver_object, PVOID registry_path)
{
    PVOID dev = 0;
    NTSTATUS st;

    (void)registry_path;
    DbgPrint(driver_banner);
    KeStallExecutionProcessor(1);
    st = IoCreateDevice(driver_object, 0, 0, 0x22 /* FILE_DEVICE_UNKNOWN */, 0, 0, &dev);
    if (st >= 0 && dev)
        IoDeleteDevice(dev);
    return st;
}
