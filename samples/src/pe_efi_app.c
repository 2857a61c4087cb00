/* Minimal UEFI application (pe/app.efi): prints via ConOut, no gnu-efi/EDK2 needed. */
typedef unsigned long long EFI_STATUS;
typedef unsigned short CHAR16;

typedef struct SIMPLE_TEXT_OUTPUT {
    void *Reset;
    EFI_STATUS (*OutputString)(struct SIMPLE_TEXT_OUTPUT *self, CHAR16 *str);
} SIMPLE_TEXT_OUTPUT;

typedef struct {
    unsigned char Hdr[24];
    CHAR16 *FirmwareVendor;
    unsigned int FirmwareRevision;
    void *ConsoleInHandle;
    void *ConIn;
    void *ConsoleOutHandle;
    SIMPLE_TEXT_OUTPUT *ConOut;
} EFI_SYSTEM_TABLE;

/* A global pointer, so the image carries a base relocation (.reloc) like real EFI apps. */
CHAR16 *efi_greeting = (CHAR16 *)L"hello from a trustscan EFI sample\r\n";

EFI_STATUS efi_main(void *image_handle, EFI_SYSTEM_TABLE *st)
{
    (void)image_handle;
    st->ConOut->OutputString(st->ConOut, efi_greeting);
    return 0;
}
