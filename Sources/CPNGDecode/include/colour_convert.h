#ifndef STYLIZE_COLOUR_CONVERT_H
#define STYLIZE_COLOUR_CONVERT_H
#include <stddef.h>
#include <stdint.h>

/* Colour management for formats other than PNG (JPEG, WebP; see CPhotoCodec), through the
 * same LittleCMS code as the PNG decoder (colour_profile.c): float transforms, relative
 * colorimetric intent, LittleCMS's built-in sRGB as the destination. */

/* What the samples hold (the colour space the profile must describe). */
enum {
    STYLIZE_COLOUR_GREY = 1, /* the first sample of each pixel is the grey (R, G, B equal) */
    STYLIZE_COLOUR_RGB = 3,
    STYLIZE_COLOUR_CMYK = 4  /* the four samples are ink amounts C, M, Y, K (0: none) */
};

/* Converts width*height pixels of native-endian 16-bit samples (4 per pixel: RGBA, or
 * CMYK) in place to sRGB RGBA through the ICC profile `icc`: alpha is kept (65535 for
 * CMYK). Returns 0, or 1 with message set when the profile cannot be read, is for another
 * colour space than `channels`, or cannot be converted (the caller refuses the file). */
int stylize_icc_to_srgb(const unsigned char *icc, size_t icc_size, int channels, uint16_t *samples,
                        uint32_t width, uint32_t height, char *message, size_t message_size);

/* LittleCMS's built-in sRGB profile (cmsCreate_sRGBProfile) serialized with
 * cmsSaveProfileToMem, creation date zeroed: what JPEG and WebP outputs embed. Returns 0
 * with *bytes malloc'ed (free() it), or 1. */
int stylize_srgb_profile(unsigned char **bytes, size_t *size);

#endif
