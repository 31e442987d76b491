#ifndef STYLIZE_PNG_ENCODE_H
#define STYLIZE_PNG_ENCODE_H
#include <stddef.h>
#include <stdint.h>

/* Encodes an image to PNG bytes in memory with libpng's classic write API (its
 * setjmp/longjmp error path stays in C, like the decoder's).
 *
 * samples: width*height*channels native-endian 16-bit values, row-major, interleaved;
 * channels 3 (RGB) or 4 (RGBA). bit_depth 8 or 16: for 8 the samples must already be in
 * 0…255 (they are written as bytes), for 16 in 0…65535. The classic API writes the values
 * as given: unlike png_image's 16-bit mode it does not take them as linear light.
 *
 * Every file is tagged sRGB: an sRGB chunk (perceptual intent) with the gAMA and cHRM
 * values the PNG specification recommends beside it (png_set_sRGB_gAMA_and_cHRM).
 *
 * Returns 0 with *png malloc'ed (*size bytes; free() it), or 1 with message set. */
int stylize_png_encode(const uint16_t *samples, uint32_t width, uint32_t height, int channels, int bit_depth,
                       unsigned char **png, size_t *size, char *message, size_t message_size);

#endif
