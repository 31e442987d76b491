#ifndef STYLIZE_PNG_DECODE_H
#define STYLIZE_PNG_DECODE_H
#include <stddef.h>
#include <stdint.h>

/* Decodes a whole PNG held in memory to 8-bit RGBA with libpng's classic API, whose
 * setjmp/longjmp error path must not cross Swift frames: it lives here, in C.
 *
 * Transforms: palette -> RGB, grey < 8 bit -> 8 bit, tRNS -> alpha, grey -> RGB,
 * 16 -> 8 bit by rounding (png_set_scale_16), opaque images get alpha 255, interlaced
 * images are de-interlaced. No gamma or colour-space conversion is applied.
 *
 * If width*height exceeds max_pixels, fails with status 2 after reading only the header
 * (*width and *height are set) and before allocating any pixel memory.
 * On success (status 0) *rgba is malloc'ed (width*height*4 bytes) and must be free()d.
 * On failure (status 1 or 2) *rgba is NULL and message holds a NUL-terminated reason. */
int stylize_png_decode(const unsigned char *data, size_t size, uint64_t max_pixels,
                       unsigned char **rgba, uint32_t *width, uint32_t *height,
                       char *message, size_t message_size);

#endif
