#ifndef STYLIZE_COLOUR_PROFILE_H
#define STYLIZE_COLOUR_PROFILE_H
/* Internal to CPNGDecode: conversion of a decoded PNG's samples to sRGB with LittleCMS 2.
 * Used only by png_decode.c (not a public header: it needs png.h and lcms2.h). */
#include <png.h>
#include <lcms2.h>
#include <stdint.h>

#include "colour_convert.h"

typedef struct {
    cmsContext context;      /* per decode: its error handler writes into `message` */
    cmsHTRANSFORM transform; /* NULL: no conversion (sRGB chunk, or no colour chunk) */
    int channels;            /* STYLIZE_COLOUR_*: one float in per pixel (grey), three or four */
    float *in, *out;         /* scratch rows: width × 4 and width × 3 floats */
    char message[160];
} stylize_colour;

/* Looks at the header chunks libpng has read (after png_read_info) and builds the
 * transform to sRGB, if one is needed. `grey`: the PNG's colour type is grey or grey+alpha.
 * `profile_rejected`: libpng dropped an iCCP chunk (its header, tag table or colour space
 * did not check out). Returns 0 (c->transform may be NULL: nothing to convert) or 1 with
 * c->message set: the profile cannot be used (the file is refused; see png_decode.h).
 * Call stylize_colour_close in every case. */
int stylize_colour_open(png_structp png, png_infop info, int grey, int profile_rejected,
                        const char *libpng_reason, uint32_t width, stylize_colour *c);

/* Converts one row of native-endian 16-bit RGBA in place (alpha untouched): samples to
 * floats in 0…1, through the transform, clamped to 0…1 and rounded back to 16 bits. For a
 * grey source the red sample is the grey value (png_set_gray_to_rgb replicated it); for a
 * CMYK one the four samples are C, M, Y, K, and alpha becomes 65535. */
void stylize_colour_row(stylize_colour *c, uint16_t *rgba, uint32_t width);

void stylize_colour_close(stylize_colour *c);

#endif
