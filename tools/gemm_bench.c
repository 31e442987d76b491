/* Single-thread SGEMM rate of a BLAS library, loaded at run time, on the shapes of stylize's
 * convolutions (issue 18: why is OpenBLAS slow on some CPUs, and what is faster?).
 *   cc -O2 tools/gemm_bench.c -ldl -o gemm_bench
 *   ./gemm_bench /usr/lib/x86_64-linux-gnu/libopenblas.so.0 cblas_sgemm
 * Shapes (row-major C[M×N] = A[M×K]·B[K×N]): conv1_2 as an im2col product at 512² (the
 * issue's 19.3 GFLOP layer), and Winograd-domain products (Cout × Cin by Cin × tiles, one of
 * the 36 per layer) of layers at 512, 256, 128 and 64 px. Prints GFLOP/s, best of 3. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef void (*sgemm_t)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int);

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s LIBRARY SYMBOL\n", argv[0]); return 64; }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    sgemm_t sgemm = (sgemm_t)dlsym(lib, argv[2]);
    if (!sgemm) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    struct { const char *name; int m, n, k; } shapes[] = {
        {"conv1_2 im2col 512px", 64, 262144, 576},
        {"winograd 64ch 512px", 64, 16384, 64},
        {"winograd 128ch 256px", 128, 4096, 128},
        {"winograd 256ch 128px", 256, 1024, 256},
        {"winograd 512ch 64px", 512, 256, 512},
    };
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        int m = shapes[s].m, n = shapes[s].n, k = shapes[s].k;
        float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n), *c = malloc(sizeof(float) * m * n);
        for (long i = 0; i < (long)m * k; i++) a[i] = (float)(i % 7) * 0.1f;
        for (long i = 0; i < (long)k * n; i++) b[i] = (float)(i % 5) * 0.1f;
        double flop = 2.0 * m * n * k, best = 1e30;
        int reps = flop > 5e9 ? 1 : (int)(5e9 / flop);
        for (int trial = 0; trial < 3; trial++) {
            double t0 = now();
            for (int r = 0; r < reps; r++) sgemm(101, 111, 111, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
            double t = (now() - t0) / reps;
            if (t < best) best = t;
        }
        printf("  %-22s M=%-4d N=%-6d K=%-4d %6.1f GFLOP/s\n", shapes[s].name, m, n, k, flop / best / 1e9);
        free(a); free(b); free(c);
    }
    return 0;
}
