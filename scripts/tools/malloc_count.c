// Counts heap allocations of a process (malloc, calloc, realloc, memalign family) and prints
// the total to stderr at exit. Used by docs/benchmarks.md to show that training steps allocate
// nothing in the steady state: run the same benchmark with two step counts and compare.
//
//   gcc -O2 -shared -fPIC -o /tmp/malloc_count.so scripts/tools/malloc_count.c
//   OPENBLAS_NUM_THREADS=1 LD_PRELOAD=/tmp/malloc_count.so .build/release/bayesflow bench --case mlp --steps 1000
//
// (OPENBLAS_NUM_THREADS=1 keeps the CLI from re-executing itself, which would drop the preload
// count of the first process.)
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static atomic_long allocations;

void *malloc(size_t n) { atomic_fetch_add(&allocations, 1); return __libc_malloc(n); }
void *calloc(size_t k, size_t n) { atomic_fetch_add(&allocations, 1); return __libc_calloc(k, n); }
void *realloc(void *p, size_t n) { atomic_fetch_add(&allocations, 1); return __libc_realloc(p, n); }
void *memalign(size_t a, size_t n) { atomic_fetch_add(&allocations, 1); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { atomic_fetch_add(&allocations, 1); return __libc_memalign(a, n); }
int posix_memalign(void **p, size_t a, size_t n) {
  atomic_fetch_add(&allocations, 1);
  void *q = __libc_memalign(a, n);
  if (!q) return ENOMEM;
  *p = q;
  return 0;
}

__attribute__((destructor)) static void report(void) {
  fprintf(stderr, "malloc_count: %ld heap allocations\n", (long)atomic_load(&allocations));
}
