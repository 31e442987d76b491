#ifndef STYLIZE_PHOTO_CODEC_H
#define STYLIZE_PHOTO_CODEC_H
#include <stddef.h>
#include <stdint.h>

/* JPEG (libjpeg-turbo, libjpeg API) and WebP (libwebp, libwebpdemux, libwebpmux) in and
 * out, for files held in memory. libjpeg reports errors by longjmp from a callback, which
 * must not cross Swift frames: that code lives here, in C, as png_decode.c does for libpng.
 *
 * Decoding gives the samples as they are stored, expanded to 16 bits (v·257, exact), plus
 * what the caller needs to finish the job in Swift: the embedded ICC profile (converted to
 * sRGB by colour_profile.c, CPNGDecode) and the EXIF block (its orientation is applied by
 * ExifOrientation.swift). Nothing here touches colour.
 *
 * Limits, all in force before pixel memory is allocated: width*height above max_pixels
 * fails with status 2 (from the header: a JPEG claiming 65000×65000 is refused before any
 * decoding); a JPEG's data must be complete (libjpeg's "premature end" and corrupt-data
 * warnings are errors, so a header over a few bytes of data fails as soon as the data runs
 * out); a progressive JPEG may have at most STYLIZE_JPEG_MAX_SCANS scans (each scan walks
 * the whole coefficient buffer, so thousands of tiny scans would take minutes). */

/* What the decoded samples are, and so which colour space an embedded profile must have. */
enum {
    STYLIZE_SPACE_GREY = 1, /* grey, replicated into R, G and B */
    STYLIZE_SPACE_RGB = 3,
    STYLIZE_SPACE_CMYK = 4  /* the four samples are ink amounts C, M, Y, K (0: no ink); no alpha */
};

/* Scans a progressive JPEG may have. Encoders write about 10 (libjpeg's default script)
 * and rarely more than a few dozen; libjpeg-turbo's own fuzz targets use the same limit. */
#define STYLIZE_JPEG_MAX_SCANS 500

typedef struct {
    /* width*height*4 native-endian 16-bit samples, row-major: RGBA (alpha 65535 where the
     * file has none) or, for STYLIZE_SPACE_CMYK, C, M, Y, K. malloc'ed; NULL after a
     * header-only call. */
    uint16_t *pixels;
    uint32_t width, height;   /* as stored, before any EXIF orientation */
    int space;                /* STYLIZE_SPACE_* */
    int has_alpha;            /* the file has an alpha channel (WebP) */
    unsigned char *icc;       /* the embedded ICC profile (JPEG APP2 ICC_PROFILE markers
                               * reassembled, WebP ICCP chunk), or NULL; malloc'ed */
    size_t icc_size;
    unsigned char *exif;      /* the EXIF block (JPEG: the first APP1 "Exif\0\0" marker's
                               * data after those 6 bytes; WebP: the EXIF chunk as stored),
                               * or NULL; malloc'ed */
    size_t exif_size;
} stylize_photo;

/* Frees what a decode left in *photo (safe on a zeroed or already freed struct). */
void stylize_photo_free(stylize_photo *photo);

/* Status 0 (ok), 1 (invalid: message set) or 2 (width*height above max_pixels; width and
 * height set). header_only: stop after the header (width, height, space, icc, exif set;
 * pixels NULL). On failure nothing is left to free. */
int stylize_jpeg_decode(const unsigned char *data, size_t size, uint64_t max_pixels, int header_only,
                        stylize_photo *photo, char *message, size_t message_size);

/* As stylize_jpeg_decode, for WebP (lossy, lossless, with or without alpha; animated files
 * are refused). */
int stylize_webp_decode(const unsigned char *data, size_t size, uint64_t max_pixels, int header_only,
                        stylize_photo *photo, char *message, size_t message_size);

/* Baseline JPEG of 8-bit RGB samples (width*height*3), at quality 1…100 (libjpeg's scale,
 * jpeg_set_quality with baseline tables), Huffman tables optimized, chroma 4:4:4 at quality
 * 90 and above and 4:2:0 below (as ImageMagick chooses). icc: written as APP2 ICC_PROFILE
 * markers when not NULL. Returns 0 with *out malloc'ed (*out_size bytes; free() it), or 1
 * with message set. */
int stylize_jpeg_encode(const uint8_t *rgb, uint32_t width, uint32_t height, int quality,
                        const unsigned char *icc, size_t icc_size,
                        unsigned char **out, size_t *out_size, char *message, size_t message_size);

/* Lossy WebP of 8-bit RGBA samples (width*height*4; alpha ignored unless has_alpha) at
 * quality 1…100 (libwebp's scale), sharp RGB→YUV conversion; the alpha plane, if any, is
 * stored losslessly. icc: stored as an ICCP chunk (extended VP8X file) when not NULL.
 * Returns as stylize_jpeg_encode. */
int stylize_webp_encode(const uint8_t *rgba, uint32_t width, uint32_t height, int has_alpha, int quality,
                        const unsigned char *icc, size_t icc_size,
                        unsigned char **out, size_t *out_size, char *message, size_t message_size);

#endif
