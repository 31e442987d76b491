/* A stress test of Sources/CKernels/pool.c under ThreadSanitizer (the pool's Swift tests,
 * ParallelTests, cover the same cases without it):
 *
 *   clang -fsanitize=thread -g -O1 -I Sources/CKernels/include Sources/CKernels/pool.c \
 *       tools/pool_stress.c -o /tmp/pool_stress -lpthread \
 *       -L/opt/swift/usr/lib/swift/linux -ldispatch -lBlocksRuntime \
 *       -Wl,-rpath,/opt/swift/usr/lib/swift/linux && /tmp/pool_stress
 *
 * (the -ldispatch and -lBlocksRuntime only satisfy the Swift toolchain's TSan runtime).
 * 50 000 runs of 1…64 items, a run after the helpers went to sleep, a run inside a run, and
 * two threads running on one pool at once; prints "ok" and exits 0 when every item ran
 * exactly once. Clean under TSan on 2026-12-05. */
#include "stylize_pool.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
typedef struct { int *hits; int n; stylize_pool *pool; } ctx_t;
static void task(void *c, int i) { ctx_t *x = c; x->hits[i] += 1; }
static void nested(void *c, int i) { ctx_t *x = c; ctx_t inner = *x; stylize_pool_run(x->pool, 1, task, &inner); (void)i; }
static void *second(void *p) {
    stylize_pool *pool = p; int hits[8] = {0}; ctx_t c = {hits, 8, pool};
    for (int r = 0; r < 20000; r++) stylize_pool_run(pool, 8, task, &c);
    for (int i = 0; i < 8; i++) if (hits[i] != 20000) { printf("second: bad %d\n", hits[i]); exit(1); }
    return NULL;
}
int main(void) {
    stylize_pool *pool = stylize_pool_create(3);
    int hits[64] = {0}; ctx_t c = {hits, 64, pool};
    for (int r = 0; r < 50000; r++) stylize_pool_run(pool, 1 + r % 64, task, &c);
    long total = 0; for (int i = 0; i < 64; i++) total += hits[i];
    long expect = 0; for (int r = 0; r < 50000; r++) expect += 1 + r % 64;
    if (total != expect) { printf("bad total %ld %ld\n", total, expect); return 1; }
    usleep(3000);  /* helpers sleep */
    int h2[4] = {0}; ctx_t c2 = {h2, 4, pool};
    stylize_pool_run(pool, 4, task, &c2);
    stylize_pool_run(pool, 4, nested, &c2);
    pthread_t t; pthread_create(&t, NULL, second, pool);
    int h3[8] = {0}; ctx_t c3 = {h3, 8, pool};
    for (int r = 0; r < 20000; r++) stylize_pool_run(pool, 8, task, &c3);
    pthread_join(t, NULL);
    for (int i = 0; i < 8; i++) if (h3[i] != 20000) { printf("main: bad %d\n", h3[i]); return 1; }
    stylize_pool_destroy(pool);
    printf("ok\n");
    return 0;
}
