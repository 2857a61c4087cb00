/*
 * trustscan.h: the C API of libtrustscan (libtrustscan.so.1), the engine behind the trustscan
 * command line, for programs that scan from inside their own process (issue 19).
 *
 * Use: build a configuration (ts_config_*), open a context from it (ts_context_open: rules,
 * trust anchors, vendors and policy are loaded once and frozen), then scan paths, file
 * descriptors or memory buffers any number of times (ts_scan_*). Each binary found is handed to a
 * callback as soon as it is analysed: as the JSON object the report puts in its "files" array
 * (`trustscan scan -f json`, docs/report-schema.md) plus a few plain fields.
 *
 * Link with `pkg-config --cflags --libs trustscan`. C99; every symbol starts with ts_ / TS_.
 *
 * Thread safety:
 *  - ts_version, ts_abi_version, ts_status_message, ts_last_error: any thread, any time.
 *  - A ts_config and a ts_scan_options belong to one thread at a time (not locked).
 *  - A ts_context is frozen: read-only after ts_context_open. Any number of threads may run
 *    ts_scan_* on the same context at once. ts_context_close only after every scan on it returned.
 *  - The callbacks of one scan are called from that scan's worker threads, but never two at once;
 *    the pointers they get are valid only during the call.
 *  - ts_cancel may be called from any thread (a signal handler included) while scans run.
 *  - ts_last_error is per thread: the text of the last call on this thread that failed.
 */
#ifndef TRUSTSCAN_TRUSTSCAN_H
#define TRUSTSCAN_TRUSTSCAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks the exported functions (the library is built with -fvisibility=hidden). */
#if defined(__GNUC__)
#define TS_API __attribute__((visibility("default")))
#else
#define TS_API
#endif

/* The ABI version: the SONAME's number (libtrustscan.so.TS_ABI_VERSION). It changes only with an
 * incompatible change of this header; additions keep it. */
#define TS_ABI_VERSION 1

/* The status of every call that can fail. */
typedef enum ts_status {
  TS_OK = 0,
  TS_E_INVALID_ARGUMENT = 1, /* a NULL handle, an unknown key, a value of the wrong shape */
  TS_E_CONFIG = 2,           /* the configuration does not load (a bad policy, rule or trust store) */
  TS_E_IO = 3,               /* a root, fd or buffer could not be read or staged */
  TS_E_NO_MEMORY = 4,
  TS_E_CANCELLED = 5, /* the scan stopped early (ts_cancel, or a callback returned non-zero) */
  TS_E_INTERNAL = 6   /* a bug: please report it with ts_last_error()'s text */
} ts_status;

typedef struct ts_config ts_config;             /* a configuration being built */
typedef struct ts_context ts_context;           /* a frozen, loaded configuration: scans run on it */
typedef struct ts_scan_options ts_scan_options; /* per-scan options (excludes, walk flags, cancel) */
typedef struct ts_cancel_token ts_cancel_token; /* stops the scans that use it */

/* One analysed binary, valid only during the record callback. Strings are UTF-8 and NUL-terminated;
 * an absent value is NULL. */
typedef struct ts_record {
  size_t struct_size;           /* sizeof(ts_record) of the library: fields may be appended */
  const char* json;             /* the record as the report's "files" entry (schema JSON) */
  size_t json_length;           /* strlen(json) */
  const char* path;             /* file.path (the display name for fd and buffer scans) */
  const char* sha256;           /* file.hash.sha256, lower-case hex; NULL when not hashed */
  const char* severity;         /* low, medium, high, critical: the worse of the policy and known-bad
                                   findings, else the verdict's (suppressed...); NULL if none */
  const char* signature_status; /* file.code_signature.status; NULL when unsigned or no signature */
  const char* vendor;           /* attributed vendor's name; NULL when unattributed */
  const char* country;          /* the vendor's country (ISO 3166 alpha-2); NULL when unknown */
  const char* privilege;        /* kernel, boot, user or unknown */
  int finding;                  /* 1: a policy finding or a known-bad driver finding; else 0 */
} ts_record;

/* Called once per binary. Return 0 to go on; non-zero stops the scan (ts_scan_* then returns
 * TS_E_CANCELLED). */
typedef int (*ts_record_fn)(const ts_record* record, void* user_data);
/* Called once per path that could not be read at all (a file's own read errors are in its
 * record's JSON), and, after the walk, once per path it did not scan, the message then starting
 * "not scanned (REASON): " with the CLI report's skip reason (too_large, symlink, special_file,
 * other_filesystem, ...; paths excluded by the caller are not repeated). */
typedef void (*ts_error_fn)(const char* path, const char* message, void* user_data);

/* ---- Library ------------------------------------------------------------------------------- */

/* The library's version, e.g. "0.1.0" (the trustscan release it comes from). */
TS_API const char* ts_version(void);
/* TS_ABI_VERSION of the library actually loaded. */
TS_API int ts_abi_version(void);
/* A fixed English text for a status ("ok", "invalid argument", ...); never NULL. */
TS_API const char* ts_status_message(ts_status status);
/* The message of the last failed call on this thread ("" when none failed); valid until the next
 * ts_ call on this thread. */
TS_API const char* ts_last_error(void);

/* ---- Configuration ------------------------------------------------------------------------- */

/* A new configuration with the defaults of `trustscan scan`. */
TS_API ts_status ts_config_new(ts_config** out);
TS_API void ts_config_free(ts_config* config);
/* Sets one option; keys are the long options of `trustscan scan` without the dashes, and each
 * value is read by the CLI's own definition of that option, so it means what the option means
 * (see `trustscan scan --help` and the man page):
 *   share-dir PATH      the shipped data (rules/, signatures/); default: found beside the library
 *                       (<prefix>/share/trustscan), $TRUSTSCAN_DATA_DIR, or the install prefix
 *                       (the only key that is not an option of the CLI)
 *   data-dir PATH       imported data sets (trustscan data import)
 *   trust-store DIR     (repeatable) extra trust anchors     no-default-trust BOOL
 *   crl-dir DIR                                              module-keys DIR (repeatable)
 *   kernel FILE         (repeatable) module-signing keys from a kernel image
 *   no-kernel-keys BOOL                                      strict-padding BOOL
 *   catalog-dir DIR     (repeatable)                         no-windows-image BOOL
 *   rules PATH          (repeatable) extra YARA rules        no-default-rules BOOL
 *   vendors PATH        (repeatable) extra vendor list       match-all BOOL
 *   policy FILE|NAME    a policy file or a shipped preset    all-privileges BOOL
 *   flag-country CC     (repeatable)                         flag-vendor ID (repeatable)
 *   only-flag-country CC (repeatable)                        only-flag-vendor ID (repeatable)
 *   verify-time DATE    YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC); default: when each scan starts
 *   threads N           worker threads per scan, and for loading (0: all cores); a scanned
 *                       directory's tree is listed on at least 8 threads (on 1 when N is 1)
 *   file-timeout SECONDS per-file time budget (0: none; default 120, as the CLI)
 *   max-file-size SIZE, max-parse-size SIZE, stream-threshold SIZE   (bytes, or with a unit: 512MB)
 * BOOL is true/false/1/0/yes/no/on/off. A repeatable key adds a value each time it is set; any
 * other key set again replaces its value. A value the CLI would refuse is refused here
 * (TS_E_INVALID_ARGUMENT, with the CLI's message); what needs loading (a policy, verify-time's
 * date, the data) is checked by ts_context_open (TS_E_CONFIG). */
TS_API ts_status ts_config_set(ts_config* config, const char* key, const char* value);
/* Sets the options of a JSON object: {"key": value, ...} with the keys above; a value is a string,
 * number, boolean, or an array of them for repeatable keys. */
TS_API ts_status ts_config_set_json(ts_config* config, const char* json);

/* ---- Context ------------------------------------------------------------------------------- */

/* Loads everything the configuration names and freezes it. `config` may be freed afterwards. */
TS_API ts_status ts_context_open(const ts_config* config, ts_context** out);
TS_API void ts_context_close(ts_context* context);

/* ---- Scans --------------------------------------------------------------------------------- */

TS_API ts_status ts_scan_options_new(ts_scan_options** out);
TS_API void ts_scan_options_free(ts_scan_options* options);
/* Keys: exclude PATTERN (repeatable), one-file-system BOOL, include-network-fs BOOL. */
TS_API ts_status ts_scan_options_set(ts_scan_options* options, const char* key, const char* value);
/* Scans using these options stop early once ts_cancel(token) is called. The token must outlive
 * them. NULL removes it. */
TS_API ts_status ts_scan_options_set_cancel(ts_scan_options* options, ts_cancel_token* token);

TS_API ts_status ts_cancel_token_new(ts_cancel_token** out);
TS_API void ts_cancel_token_free(ts_cancel_token* token);
/* Async-signal-safe. */
TS_API void ts_cancel(ts_cancel_token* token);

/* Scans a directory tree, a file or a disk image file. `options` may be NULL (defaults);
 * `on_error` may be NULL. Returns TS_OK when the scan ran to its end (paths that could not be read
 * went to on_error), TS_E_CANCELLED when it stopped early. */
TS_API ts_status ts_scan_path(const ts_context* context, const char* path, const ts_scan_options* options,
                              ts_record_fn on_record, ts_error_fn on_error, void* user_data);
/* Scans the file open as `fd` (read from its start, not closed); records carry `display_name`
 * as their path (NULL: "fd:N"). An fd opened by a path that still names the same file is scanned
 * through that path; any other regular file (a memfd, a deleted file) is copied as by
 * ts_scan_buffer. */
TS_API ts_status ts_scan_fd(const ts_context* context, int fd, const char* display_name, const ts_scan_options* options,
                            ts_record_fn on_record, ts_error_fn on_error, void* user_data);
/* Scans `size` bytes at `data` as one file named `display_name` (NULL: "buffer"); the bytes are
 * staged in a private directory (in memory on /dev/shm up to the stream threshold, else on disk in
 * $TMPDIR or /var/tmp), in a file named after the display name (its extension helps
 * identification), and removed after the scan. Bytes over max-file-size are not copied: the input
 * is reported to on_error as "not scanned (too_large): N bytes", as a file of that size would be. */
TS_API ts_status ts_scan_buffer(const ts_context* context, const void* data, size_t size, const char* display_name,
                                const ts_scan_options* options, ts_record_fn on_record, ts_error_fn on_error,
                                void* user_data);

#ifdef __cplusplus
}
#endif

#endif /* TRUSTSCAN_TRUSTSCAN_H */
