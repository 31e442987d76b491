/* Test PNGs with embedded ICC profiles, for PNGColourProfileTests. Profiles are built with
 * LittleCMS 2, files written with libpng (and, for the deliberately broken ones, a raw
 * iCCP chunk through png_write_chunk so that libpng's own checks on writing are bypassed).
 *
 *   cc -O2 tools/make_profile_pngs.c -llcms2 -lpng16 -lz -o /tmp/make_profile_pngs
 *   /tmp/make_profile_pngs Tests/StylizeKitTests/Resources/profiles
 *
 * Writes, into the folder given:
 *   p3.png            8-bit RGB, 8×8, the colours of colour(x, y) below, Display P3 profile
 *                     (D65 white; primaries 0.680,0.320 / 0.265,0.690 / 0.150,0.060; the
 *                     sRGB tone curve), as a phone or a Mac writes it
 *   grey-linear.png   8-bit grey, 16×1, v = 17·x, grey profile with a linear (gamma 1) curve
 *   broken-tags.png   p3.png's pixels and profile with the red colorant tag's type
 *                     signature overwritten ('XYZ ' → 'XXXX'): libpng's header and tag-table
 *                     checks pass it, LittleCMS cannot build a transform from it
 *   broken-header.png the profile's colour space field set to 'CMYK': libpng drops it
 * The output is deterministic (no time stamps: the profiles' creation date is zeroed). */
#include <lcms2.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static unsigned char colour(int x, int y, int c) {
    static const unsigned char levels[8] = {0, 10, 40, 90, 128, 180, 230, 255};
    /* x picks the level of one channel, y the mix: enough saturated and dark colours to
     * exercise the matrix, the curves and the clipping of colours sRGB cannot show. */
    int k = (c + y) % 3;
    return k == 0 ? levels[x] : (k == 1 ? levels[(x + y) % 8] : levels[(7 * y + 3) % 8]);
}

static void *profile_bytes(cmsHPROFILE p, cmsUInt32Number *size) {
    cmsSaveProfileToMem(p, NULL, size);
    void *bytes = malloc(*size);
    cmsSaveProfileToMem(p, bytes, size);
    memset((char *)bytes + 24, 0, 12);  /* creation date/time: zero, for a reproducible file */
    return bytes;
}

static void write_png(const char *path, int grey, int width, int height, const void *profile,
                      cmsUInt32Number profile_size, int raw_chunk) {
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(1); }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) { fprintf(stderr, "libpng failed on %s\n", path); exit(1); }
    png_init_io(png, f);
    png_set_IHDR(png, info, width, height, 8, grey ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (!raw_chunk) png_set_iCCP(png, info, "test", PNG_COMPRESSION_TYPE_BASE, profile, profile_size);
    png_write_info(png, info);
    if (raw_chunk) {  /* "test\0", compression method 0, zlib stream */
        uLongf packed = compressBound(profile_size);
        unsigned char *chunk = malloc(6 + packed);
        memcpy(chunk, "test\0\0", 6);
        compress2(chunk + 6, &packed, profile, profile_size, 9);
        png_write_chunk(png, (png_const_bytep)"iCCP", chunk, 6 + packed);
        free(chunk);
    }
    int channels = grey ? 1 : 3;
    unsigned char *row = malloc((size_t)width * channels);
    for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++)
            for (int c = 0; c < channels; c++)
                row[x * channels + c] = grey ? (unsigned char)(17 * x) : colour(x, y, c);
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    fclose(f);
    free(row);
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s FOLDER\n", argv[0]); return 64; }
    char path[4096];
    cmsCIExyY d65 = {0.3127, 0.3290, 1.0};
    cmsCIExyYTRIPLE p3 = {{0.680, 0.320, 1.0}, {0.265, 0.690, 1.0}, {0.150, 0.060, 1.0}};
    const cmsFloat64Number srgb[5] = {2.4, 1.0 / 1.055, 0.055 / 1.055, 1.0 / 12.92, 0.04045};
    cmsToneCurve *curve = cmsBuildParametricToneCurve(NULL, 4, srgb);
    cmsToneCurve *curves[3] = {curve, curve, curve};
    cmsHPROFILE display_p3 = cmsCreateRGBProfile(&d65, &p3, curves);
    cmsUInt32Number size = 0;
    unsigned char *bytes = profile_bytes(display_p3, &size);
    snprintf(path, sizeof path, "%s/p3.png", argv[1]);
    write_png(path, 0, 8, 8, bytes, size, 0);

    /* The tag table starts at 128: a count, then 12-byte entries (signature, offset, size). */
    unsigned count = (unsigned)bytes[128] << 24 | bytes[129] << 16 | bytes[130] << 8 | bytes[131];
    unsigned char *broken = malloc(size);
    memcpy(broken, bytes, size);
    for (unsigned i = 0; i < count; i++) {
        unsigned char *entry = broken + 132 + 12 * i;
        if (memcmp(entry, "rXYZ", 4) == 0) {
            unsigned offset = (unsigned)entry[4] << 24 | entry[5] << 16 | entry[6] << 8 | entry[7];
            memcpy(broken + offset, "XXXX", 4);
        }
    }
    snprintf(path, sizeof path, "%s/broken-tags.png", argv[1]);
    write_png(path, 0, 8, 8, broken, size, 1);
    memcpy(broken, bytes, size);
    memcpy(broken + 16, "CMYK", 4);
    snprintf(path, sizeof path, "%s/broken-header.png", argv[1]);
    write_png(path, 0, 8, 8, broken, size, 1);

    cmsToneCurve *linear = cmsBuildGamma(NULL, 1.0);
    cmsHPROFILE grey = cmsCreateGrayProfile(cmsD50_xyY(), linear);
    unsigned char *grey_bytes = profile_bytes(grey, &size);
    snprintf(path, sizeof path, "%s/grey-linear.png", argv[1]);
    write_png(path, 1, 16, 1, grey_bytes, size, 0);
    printf("wrote p3.png, broken-tags.png, broken-header.png, grey-linear.png into %s\n", argv[1]);
    return 0;
}
