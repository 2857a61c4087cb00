/* Win32 DLL with two exports (pe/plugin.dll). */
__declspec(dllexport) int plugin_add(int a, int b) { return a + b; }
__declspec(dllexport) const char *plugin_name(void) { return "trustscan-plugin"; }
