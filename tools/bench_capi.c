/*
 * trustscan_capi_bench — issue 19, acceptance 4, through the public C API (libtrustscan.so.1):
 * one context opened once, then every file of LIST as a ts_scan_path of its own, against one
 * ts_scan_path of TREE holding the same files. Run by tools/bench_engine.sh (which also runs the
 * C++ engine's bench, tools/bench_engine.cpp); target: single files < 2x the tree.
 *
 * usage: trustscan_capi_bench SHARE_DIR TREE LIST [THREADS [KEY=VALUE...]]
 *   SHARE_DIR  the shipped data (the source tree: rules/, signatures/)
 *   TREE       a directory holding the files of LIST
 *   LIST       one path a line: the files under TREE to scan one by one
 *   THREADS    worker threads of each scan (default 1)
 *   KEY=VALUE  further configuration keys (trustscan.h), e.g. catalog-dir=DIR trust-store=DIR
 *
 * Each record is delivered as the API delivers it (schema JSON and plain fields); the callback
 * counts records and the bytes of their JSON, so that both ways are seen to give the same. Wall
 * and CPU seconds (the process's, all threads) are printed, with the context's load time.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <trustscan/trustscan.h>

struct tally {
  unsigned long records, findings, json_bytes, errors;
};

static double wall_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static int on_record(const ts_record* r, void* user) {
  struct tally* t = user;
  t->records++;
  t->findings += r->finding ? 1 : 0;
  t->json_bytes += (unsigned long)strlen(r->json);
  return 0;
}

static void on_error(const char* path, const char* message, void* user) {
  struct tally* t = user;
  (void)path;
  (void)message;
  t->errors++;
}

static int fail(const char* what, ts_status s) {
  fprintf(stderr, "trustscan_capi_bench: %s: %s: %s\n", what, ts_status_message(s), ts_last_error());
  return 2;
}

/* The lines of LIST (newline-terminated paths), as one allocation each. */
static char** read_list(const char* file, size_t* count) {
  FILE* f = fopen(file, "r");
  char** lines = NULL;
  size_t n = 0, cap = 0, len = 0;
  char* line = NULL;
  ssize_t got;
  if (f == NULL) return NULL;
  while ((got = getline(&line, &len, f)) > 0) {
    if (line[got - 1] == '\n') line[got - 1] = '\0';
    if (line[0] == '\0') continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 1024;
      lines = realloc(lines, cap * sizeof *lines);
      if (lines == NULL) abort();
    }
    lines[n++] = strdup(line);
  }
  free(line);
  fclose(f);
  *count = n;
  return lines;
}

int main(int argc, char** argv) {
  ts_config* config = NULL;
  ts_context* context = NULL;
  struct tally warm = {0}, single = {0}, tree = {0};
  size_t count = 0, i, failed = 0;
  char** files;
  double t0, c0, single_wall, single_cpu, tree_wall, tree_cpu;
  ts_status s;

  if (argc < 4) {
    fprintf(stderr, "usage: trustscan_capi_bench SHARE_DIR TREE LIST [THREADS [KEY=VALUE...]]\n");
    return 2;
  }
  files = read_list(argv[3], &count);
  if (files == NULL || count == 0) {
    fprintf(stderr, "trustscan_capi_bench: no files in %s\n", argv[3]);
    return 2;
  }
  t0 = wall_seconds();
  c0 = cpu_seconds();
  s = ts_config_new(&config);
  if (s == TS_OK) s = ts_config_set(config, "share-dir", argv[1]);
  if (s == TS_OK) s = ts_config_set(config, "threads", argc > 4 ? argv[4] : "1");
  /* A root's boot/vmlinuz-* gives its modules their signing keys; a single file has no root. So
   * that both ways do the same work and give the same records, neither reads kernel images. */
  if (s == TS_OK) s = ts_config_set(config, "no-kernel-keys", "true");
  for (i = 5; s == TS_OK && i < (size_t)argc; ++i) {
    char* eq = strchr(argv[i], '=');
    if (eq == NULL) {
      fprintf(stderr, "trustscan_capi_bench: expected KEY=VALUE, found '%s'\n", argv[i]);
      return 2;
    }
    *eq = '\0';
    s = ts_config_set(config, argv[i], eq + 1);
  }
  if (s == TS_OK) s = ts_context_open(config, &context);
  ts_config_free(config);
  if (s != TS_OK) return fail("opening the context", s);
  printf("context open: %.3f s wall, %.3f s CPU (once)\n", wall_seconds() - t0, cpu_seconds() - c0);

  s = ts_scan_path(context, argv[2], NULL, on_record, on_error, &warm); /* warms the page cache */
  if (s != TS_OK) return fail("warm-up scan", s);

  t0 = wall_seconds();
  c0 = cpu_seconds();
  for (i = 0; i < count; ++i)
    if (ts_scan_path(context, files[i], NULL, on_record, on_error, &single) != TS_OK) failed++;
  single_wall = wall_seconds() - t0;
  single_cpu = cpu_seconds() - c0;

  t0 = wall_seconds();
  c0 = cpu_seconds();
  s = ts_scan_path(context, argv[2], NULL, on_record, on_error, &tree);
  tree_wall = wall_seconds() - t0;
  tree_cpu = cpu_seconds() - c0;
  if (s != TS_OK) return fail("tree scan", s);

  printf("threads per scan: %s\n", argc > 4 ? argv[4] : "1");
  printf(
      "%zu single-file ts_scan_path: %.3f s wall, %.3f s CPU, %lu records (%lu findings, %lu JSON bytes), "
      "%lu errors, %zu failed (%.2f ms wall per scan)\n",
      count, single_wall, single_cpu, single.records, single.findings, single.json_bytes, single.errors, failed,
      1000.0 * single_wall / (double)count);
  printf(
      "one ts_scan_path of the tree: %.3f s wall, %.3f s CPU, %lu records (%lu findings, %lu JSON bytes), "
      "%lu errors\n",
      tree_wall, tree_cpu, tree.records, tree.findings, tree.json_bytes, tree.errors);
  printf("ratio single/tree (C API): %.2fx wall, %.2fx CPU (target < 2x)\n", single_wall / tree_wall,
         single_cpu / tree_cpu);
  ts_context_close(context);
  for (i = 0; i < count; ++i) free(files[i]);
  free(files);
  return single.records == tree.records && single.findings == tree.findings && single.json_bytes == tree.json_bytes &&
                 failed == 0
             ? 0
             : 1;
}
