#ifndef STYLIZE_POOL_H
#define STYLIZE_POOL_H

/* A fork-join pool of helper threads for StylizeKernels' `Parallel` (its only caller).
 *
 * stylize_pool_run(pool, count, fn, ctx) calls fn(ctx, i) once for every i in 0 ..< count,
 * on the calling thread and the pool's helpers, and returns when all have returned. Helpers
 * wait for work by spinning for about 200 µs and then sleep on a condition variable, so a
 * run that follows another within that time starts in well under a microsecond, where a
 * sleeping thread takes tens of microseconds to wake (docs/EXPERIMENTS.md, *A pool of
 * spinning workers*). A run that finds the pool busy (called from inside one of its own
 * tasks, or from a second thread) calls every fn(ctx, i) on the calling thread instead. */

typedef struct stylize_pool stylize_pool;
typedef void (*stylize_pool_task)(void *ctx, int index);

/** A pool with `helpers` threads (at least 1), started on the first run. NULL if out of memory. */
stylize_pool *stylize_pool_create(int helpers);

/** Stops and joins the helpers and frees the pool; no run may be in progress. */
void stylize_pool_destroy(stylize_pool *pool);

/** fn(ctx, i) for i in 0 ..< count (count < 65 536), concurrently; returns when all are done. */
void stylize_pool_run(stylize_pool *pool, int count, stylize_pool_task fn, void *ctx);

#endif
