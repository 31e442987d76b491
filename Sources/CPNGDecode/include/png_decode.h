#ifndef STYLIZE_PNG_DECODE_H
#define STYLIZE_PNG_DECODE_H
#include <stddef.h>
#include <stdint.h>

/* Decodes a whole PNG held in memory to 16-bit RGBA with libpng's classic API, whose
 * setjmp/longjmp error path must not cross Swift frames: it lives here, in C.
 *
 * Limits, all in force before pixel memory is allocated: libpng's user limits refuse any
 * side above max_pixels (its own default of 1,000,000 per side is replaced by the tool's
 * limit), width*height above max_pixels fails with status 2, ancillary chunks are capped
 * (8 MB each, 128 kept), and the whole data stream is first decoded into one reused row
 * buffer, so a file that claims a large image but does not hold its data (a "bomb") fails
 * before the image buffer exists. A valid image costs two decodes of its data; the image
 * buffer is 8 bytes a pixel.
 *
 * Transforms: palette -> RGB, grey < 8 bit -> 8 bit, tRNS -> alpha, grey -> RGB, samples
 * below 16 bits -> 16 bits exactly (v·257, png_set_expand_16), 16-bit samples kept at full
 * precision, opaque images get alpha 65535, interlaced images are de-interlaced.
 *
 * Colour (colour_profile.c, LittleCMS 2): an iCCP profile, or gAMA/cHRM without iCCP and
 * without sRGB, is converted to sRGB (relative colorimetric); an sRGB chunk or no colour
 * chunk leaves the samples as they are. Alpha is never touched. A profile that libpng
 * drops as invalid, that LittleCMS cannot read or cannot convert, or whose colour space is
 * not the image's, makes the decode fail (status 1, the message says why): the file is
 * refused rather than shown in the wrong colours. An invalid gAMA or cHRM (a gamma of 0,
 * zero or collinear chromaticities) is ignored as the PNG specification says, the valid
 * one beside it is kept, and `warning` says which chunk and what was done instead. */

/* Reads the signature and header chunks only. Status 0 (ok), 1 (invalid; message set) or
 * 2 (width*height above max_pixels); *width and *height are set for 0 and 2. */
int stylize_png_header(const unsigned char *data, size_t size, uint64_t max_pixels,
                       uint32_t *width, uint32_t *height, char *message, size_t message_size);

/* On success (status 0) *rgba is malloc'ed (width*height*4 native-endian 16-bit samples,
 * RGBA, row-major) and must be free()d, and `warning` is empty or one line about an invalid
 * colour chunk that was ignored. On failure (status 1 or 2, as for stylize_png_header)
 * *rgba is NULL. */
int stylize_png_decode(const unsigned char *data, size_t size, uint64_t max_pixels,
                       uint16_t **rgba, uint32_t *width, uint32_t *height,
                       char *message, size_t message_size, char *warning, size_t warning_size);

#endif
