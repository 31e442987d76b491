/* The worker pool of stylize_pool.h.
 *
 * One 64-bit word describes the current run: generation (32 bits) | count (16) | next index
 * (16). A thread takes index i by a compare-and-swap of the whole word from (g, count, i) to
 * (g, count, i + 1), so a helper that still holds an older generation can never take an
 * index of a newer run. fn and ctx are written before the word is published (release) and
 * read only after a successful claim (acquire); the caller writes them again only after
 * `done` says every index of the previous run has returned, so no helper reads them then.
 * Sleeping helpers check the word under the mutex, and the caller takes the mutex after
 * publishing, so a wake-up cannot be lost. */
#define _GNU_SOURCE
#include "stylize_pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define RELAX() _mm_pause()
#elif defined(__aarch64__)
#define RELAX() __asm__ __volatile__("yield")
#else
#define RELAX() ((void)0)
#endif

/* How long an idle helper spins (with the pause instruction) before it spins yielding its
 * core to any other runnable thread, and how long in all before it sleeps. */
#define PAUSE_NANOSECONDS 50000
#define SPIN_NANOSECONDS 200000

struct stylize_pool {
    _Atomic uint64_t word;
    _Atomic int done;
    _Atomic int busy;
    _Atomic int shutdown;
    stylize_pool_task fn;
    void *ctx;
    int helpers;
    int started;
    uint32_t started_at;
    pthread_t *threads;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int sleepers;
};

static inline uint32_t word_generation(uint64_t w) { return (uint32_t)(w >> 32); }
static inline int word_count(uint64_t w) { return (int)((w >> 16) & 0xffff); }
static inline int word_next(uint64_t w) { return (int)(w & 0xffff); }

static uint64_t now_nanoseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Takes and runs indices of generation `generation` until none is left. */
static void claim_all(stylize_pool *pool, uint32_t generation) {
    uint64_t w = atomic_load_explicit(&pool->word, memory_order_acquire);
    for (;;) {
        if (word_generation(w) != generation || word_next(w) >= word_count(w)) return;
        if (atomic_compare_exchange_weak_explicit(&pool->word, &w, w + 1, memory_order_acq_rel,
                                                  memory_order_acquire)) {
            pool->fn(pool->ctx, word_next(w));
            atomic_fetch_add_explicit(&pool->done, 1, memory_order_release);
            w = atomic_load_explicit(&pool->word, memory_order_acquire);
        }
    }
}

static void *helper_main(void *argument) {
    stylize_pool *pool = argument;
    uint32_t seen = pool->started_at;  /* the generation before the run that started it */
    for (;;) {
        uint64_t start = now_nanoseconds();
        unsigned spins = 0;
        uint64_t w;
        while (word_generation(w = atomic_load_explicit(&pool->word, memory_order_acquire)) == seen) {
            if (atomic_load_explicit(&pool->shutdown, memory_order_acquire)) return NULL;
            RELAX();
            if ((++spins & 63) != 0) continue;
            uint64_t waited = now_nanoseconds() - start;
            if (waited > PAUSE_NANOSECONDS) sched_yield();
            if (waited > SPIN_NANOSECONDS) {
                pthread_mutex_lock(&pool->lock);
                pool->sleepers += 1;
                while (word_generation(atomic_load_explicit(&pool->word, memory_order_acquire)) == seen &&
                       !atomic_load_explicit(&pool->shutdown, memory_order_acquire)) {
                    pthread_cond_wait(&pool->wake, &pool->lock);
                }
                pool->sleepers -= 1;
                pthread_mutex_unlock(&pool->lock);
                start = now_nanoseconds();
            }
        }
        seen = word_generation(w);
        claim_all(pool, seen);
    }
}

stylize_pool *stylize_pool_create(int helpers) {
    if (helpers < 1) helpers = 1;
    stylize_pool *pool = calloc(1, sizeof *pool);
    if (!pool) return NULL;
    pool->threads = calloc((size_t)helpers, sizeof *pool->threads);
    if (!pool->threads) { free(pool); return NULL; }
    pool->helpers = helpers;
    atomic_init(&pool->word, 0);
    atomic_init(&pool->done, 0);
    atomic_init(&pool->busy, 0);
    atomic_init(&pool->shutdown, 0);
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->wake, NULL);
    return pool;
}

void stylize_pool_destroy(stylize_pool *pool) {
    if (!pool) return;
    pthread_mutex_lock(&pool->lock);
    atomic_store_explicit(&pool->shutdown, 1, memory_order_release);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
    for (int i = 0; i < pool->started; i++) pthread_join(pool->threads[i], NULL);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->wake);
    free(pool->threads);
    free(pool);
}

/* Starts the helpers not yet running; those that fail to start are simply not there
 * (their share of each run falls to the threads that are). Called with `busy` held. */
static void start_helpers(stylize_pool *pool) {
    pool->started_at = word_generation(atomic_load_explicit(&pool->word, memory_order_relaxed));
    while (pool->started < pool->helpers) {
        if (pthread_create(&pool->threads[pool->started], NULL, helper_main, pool) != 0) {
            pool->helpers = pool->started;
            return;
        }
        pool->started += 1;
    }
}

void stylize_pool_run(stylize_pool *pool, int count, stylize_pool_task fn, void *ctx) {
    int expected = 0;
    if (count <= 1 || count > 0xffff || !pool ||
        !atomic_compare_exchange_strong_explicit(&pool->busy, &expected, 1, memory_order_acquire,
                                                 memory_order_relaxed)) {
        for (int i = 0; i < count; i++) fn(ctx, i);
        return;
    }
    if (pool->started < pool->helpers) start_helpers(pool);
    pool->fn = fn;
    pool->ctx = ctx;
    atomic_store_explicit(&pool->done, 0, memory_order_relaxed);
    uint32_t generation = word_generation(atomic_load_explicit(&pool->word, memory_order_relaxed)) + 1;
    atomic_store_explicit(&pool->word, ((uint64_t)generation << 32) | ((uint64_t)count << 16),
                          memory_order_release);
    pthread_mutex_lock(&pool->lock);
    if (pool->sleepers > 0) pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
    claim_all(pool, generation);
    /* The last indices are running on helpers: wait, yielding the core after a while in case
     * a helper is waiting for it (more threads than cores). */
    for (unsigned spins = 1; atomic_load_explicit(&pool->done, memory_order_acquire) < count; spins++) {
        RELAX();
        if ((spins & 1023) == 0) sched_yield();
    }
    atomic_store_explicit(&pool->busy, 0, memory_order_release);
}
