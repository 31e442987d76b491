#ifndef STYLIZE_COLOUR_PROFILE_H
#define STYLIZE_COLOUR_PROFILE_H
/* Internal to CPNGDecode: conversion of a decoded PNG's samples to sRGB with LittleCMS 2.
 * Used only by png_decode.c (not a public header: it needs png.h and lcms2.h). */
#include <png.h>
#include <lcms2.h>
#include <stdint.h>

/* The gAMA and cHRM chunks as the file holds them, read from the raw bytes rather than
 * through libpng: libpng marks the whole colour space invalid when one of them is broken,
 * which silently drops a valid neighbour (a good gAMA beside a zero cHRM) and even an iCCP.
 * Here each chunk is judged on its own (PNG specification: ignore an invalid chunk, keep
 * what is valid). libpng is told to skip both (png_set_keep_unknown_chunks). */
typedef struct {
    int gamma_present, gamma_valid;
    double gamma;                  /* the file's encoding exponent (gAMA / 100000), when valid */
    char gamma_problem[64];        /* why it is invalid, when present and not valid */
    int chrm_present, chrm_valid;
    double xy[8];                  /* white x, y, red x, y, green x, y, blue x, y, when valid */
    char chrm_problem[80];
} stylize_colour_chunks;

/* Finds the first gAMA and cHRM chunks before IDAT in a PNG held in memory (whose chunk
 * lengths check_chunks has validated) and judges each: gAMA must be 4 bytes and not 0; cHRM
 * 32 bytes, every chromaticity inside the diagram (0 < y, x + y <= 1), the primaries not on
 * one line and the white point inside their triangle. A chunk whose CRC does not match is
 * invalid too (except in fuzz builds, which ignore checksums). */
void stylize_colour_chunks_read(const unsigned char *data, size_t size, stylize_colour_chunks *out);
#include "colour_convert.h"

typedef struct {
    cmsContext context;      /* per decode: its error handler writes into `message` */
    cmsHTRANSFORM transform; /* NULL: no conversion (sRGB chunk, or no colour chunk) */
    int channels;            /* STYLIZE_COLOUR_*: one float in per pixel (grey), three or four */
    float *in, *out;         /* scratch rows: width × 4 and width × 3 floats */
    char message[160];
    char warning[256];       /* set when an invalid gAMA or cHRM was ignored (the decode goes on) */
} stylize_colour;

/* Looks at the header chunks libpng has read (after png_read_info) and at `chunks` (gAMA,
 * cHRM) and builds the transform to sRGB, if one is needed. `grey`: the PNG's colour type is
 * grey or grey+alpha. `profile_rejected`: libpng dropped an iCCP chunk (its header, tag table
 * or colour space did not check out). Returns 0 (c->transform may be NULL: nothing to
 * convert; c->warning may say that an invalid gAMA or cHRM was ignored) or 1 with
 * c->message set: the profile cannot be used (the file is refused; see png_decode.h).
 * Call stylize_colour_close in every case. */
int stylize_colour_open(png_structp png, png_infop info, int grey, int profile_rejected,
                        const char *libpng_reason, const stylize_colour_chunks *chunks,
                        uint32_t width, stylize_colour *c);

/* Converts one row of native-endian 16-bit RGBA in place (alpha untouched): samples to
 * floats in 0…1, through the transform, clamped to 0…1 and rounded back to 16 bits. For a
 * grey source the red sample is the grey value (png_set_gray_to_rgb replicated it); for a
 * CMYK one the four samples are C, M, Y, K, and alpha becomes 65535. */
void stylize_colour_row(stylize_colour *c, uint16_t *rgba, uint32_t width);

void stylize_colour_close(stylize_colour *c);

#endif
