/*
 * scan_threads: scans roots with libtrustscan from two threads on one shared context and prints
 * one JSON line per binary: the plain fields of ts_record, then the record itself (the report's
 * schema JSON) under "record".
 *
 *   cc -std=c99 -Wall -Werror scan_threads.c $(pkg-config --cflags --libs trustscan) -o scan_threads
 *   ./scan_threads ROOT...          (the roots are shared out between the two threads)
 *
 * Configuration: TRUSTSCAN_CONFIG, when set, is a JSON object of options (ts_config_set_json),
 * e.g. '{"threads": 2, "flag-country": ["RU", "BY"]}'.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <trustscan/trustscan.h>

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

struct job {
  const ts_context* context;
  char** roots;
  int count;
  int first; /* this thread scans roots first, first + 2, first + 4, ... */
  ts_status status;
};

/* A JSON string (or null) on stdout. */
static void print_string(const char* s) {
  if (s == NULL) {
    fputs("null", stdout);
    return;
  }
  putchar('"');
  for (; *s != '\0'; ++s) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      printf("\\%c", c);
    else if (c < 0x20)
      printf("\\u%04x", c);
    else
      putchar(c);
  }
  putchar('"');
}

static void print_field(const char* name, const char* value) {
  printf("\"%s\":", name);
  print_string(value);
  putchar(',');
}

static int on_record(const ts_record* r, void* user) {
  (void)user;
  pthread_mutex_lock(&out_lock); /* the two scans call back at the same time */
  putchar('{');
  print_field("path", r->path);
  print_field("sha256", r->sha256);
  print_field("severity", r->severity);
  print_field("signature_status", r->signature_status);
  print_field("vendor", r->vendor);
  print_field("country", r->country);
  print_field("privilege", r->privilege);
  printf("\"finding\":%s,\"record\":%s}\n", r->finding ? "true" : "false", r->json);
  pthread_mutex_unlock(&out_lock);
  return 0;
}

static void on_error(const char* path, const char* message, void* user) {
  (void)user;
  pthread_mutex_lock(&out_lock);
  fprintf(stderr, "scan_threads: %s: %s\n", path, message);
  pthread_mutex_unlock(&out_lock);
}

static void* scan_roots(void* arg) {
  struct job* job = arg;
  int i;
  job->status = TS_OK;
  for (i = job->first; i < job->count && job->status == TS_OK; i += 2)
    job->status = ts_scan_path(job->context, job->roots[i], NULL, on_record, on_error, NULL);
  if (job->status != TS_OK) {
    pthread_mutex_lock(&out_lock);
    fprintf(stderr, "scan_threads: %s: %s\n", ts_status_message(job->status), ts_last_error());
    pthread_mutex_unlock(&out_lock);
  }
  return NULL;
}

int main(int argc, char** argv) {
  ts_config* config = NULL;
  ts_context* context = NULL;
  struct job jobs[2];
  pthread_t threads[2];
  const char* json = getenv("TRUSTSCAN_CONFIG");
  ts_status s;
  int i, failed = 0;

  if (argc < 2) {
    fprintf(stderr, "usage: %s ROOT...\n", argv[0]);
    return 2;
  }
  if (ts_abi_version() != TS_ABI_VERSION) {
    fprintf(stderr, "scan_threads: built for ABI %d, library has %d\n", TS_ABI_VERSION, ts_abi_version());
    return 2;
  }
  s = ts_config_new(&config);
  if (s == TS_OK && json != NULL) s = ts_config_set_json(config, json);
  if (s == TS_OK) s = ts_context_open(config, &context); /* loads rules, anchors, vendors once */
  ts_config_free(config);
  if (s != TS_OK) {
    fprintf(stderr, "scan_threads: %s: %s\n", ts_status_message(s), ts_last_error());
    return 2;
  }
  for (i = 0; i < 2; ++i) {
    jobs[i].context = context;
    jobs[i].roots = argv + 1;
    jobs[i].count = argc - 1;
    jobs[i].first = i;
    if (pthread_create(&threads[i], NULL, scan_roots, &jobs[i]) != 0) {
      fprintf(stderr, "scan_threads: cannot start a thread\n");
      return 2;
    }
  }
  for (i = 0; i < 2; ++i) {
    pthread_join(threads[i], NULL);
    if (jobs[i].status != TS_OK) failed = 1;
  }
  ts_context_close(context);
  fprintf(stderr, "scan_threads: libtrustscan %s, ABI %d\n", ts_version(), ts_abi_version());
  return failed ? 1 : 0;
}
