/*
 * replay_main.c - a plain main() that replays files through a fuzz
 * harness's LLVMFuzzerTestOneInput(), linked instead of libFuzzer (in the
 * manner of zstd's regression_driver.c).  Each argument is a file or a
 * directory (every regular file in it, not recursing).  Built under
 * ASan+UBSan by `make check-fuzz-replay`, so a crash that was fixed never
 * comes back.  Prints "NAME: N inputs replayed".
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t replayed;

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return 1;
  }
  size_t cap = 4096, n = 0;
  uint8_t *buf = malloc(cap);
  if (!buf) return 1;
  for (;;) {
    if (n == cap) {
      uint8_t *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        fclose(f);
        return 1;
      }
      buf = nb;
      cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    if (got == 0) break;
    n += got;
  }
  int err = ferror(f);
  fclose(f);
  if (err) {
    free(buf);
    fprintf(stderr, "%s: read error\n", path);
    return 1;
  }
  /* An exact-size copy, so that ASan sees a read one byte past the input. */
  uint8_t *exact = malloc(n ? n : 1);
  if (!exact) {
    free(buf);
    return 1;
  }
  if (n) memcpy(exact, buf, n);
  free(buf);
  (void)LLVMFuzzerTestOneInput(exact, n);
  free(exact);
  replayed++;
  return 0;
}

int main(int argc, char **argv) {
  int failed = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) continue; /* an absent folder: nothing to replay */
    if (!S_ISDIR(st.st_mode)) {
      failed |= run_file(argv[i]);
      continue;
    }
    DIR *d = opendir(argv[i]);
    if (!d) {
      perror(argv[i]);
      return 1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.') continue;
      size_t len = strlen(argv[i]) + strlen(e->d_name) + 2;
      char *p = malloc(len);
      if (!p) return 1;
      snprintf(p, len, "%s/%s", argv[i], e->d_name);
      if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) failed |= run_file(p);
      free(p);
    }
    closedir(d);
  }
  const char *name = strrchr(argv[0], '/');
  printf("%s: %zu inputs replayed\n", name ? name + 1 : argv[0], replayed);
  return failed;
}
