/* Minimal file-system minifilter skeleton (pe/minifilter.sys). */
typedef long NTSTATUS;
typedef void *PVOID;

__declspec(dllimport) unsigned long DbgPrint(const char *format, ...);
__declspec(dllimport) NTSTATUS FltRegisterFilter(PVOID driver, const void *registration, PVOID *filter);
__declspec(dllimport) NTSTATUS FltStartFiltering(PVOID filter);
__declspec(dllimport) void FltUnregisterFilter(PVOID filter);

static PVOID g_filter;

static NTSTATUS FilterUnload(unsigned long flags)
{
    (void)flags;
    FltUnregisterFilter(g_filter);
    return 0;
}

/* Leading fields of FLT_REGISTRATION; the callback pointer yields a base relocation. */
static const struct {
    unsigned short Size, Version;
    unsigned long Flags;
    const void *ContextRegistration, *OperationRegistration;
    NTSTATUS (*FilterUnloadCallback)(unsigned long);
} registration = { sizeof registration, 0x0203 /* FLT_REGISTRATION_VERSION */, 0, 0, 0, FilterUnload };

NTSTATUS DriverEntry(PVOID driver_object, PVOID registry_path)
{
    NTSTATUS st;

    (void)registry_path;
    DbgPrint("demo minifilter loaded\n");
    st = FltRegisterFilter(driver_object, &registration, &g_filter);
    if (st >= 0) {
        st = FltStartFiltering(g_filter);
        if (st < 0)
            FltUnregisterFilter(g_filter);
    }
    return st;
}
