/* Source images, ICC profiles and the JPEGs no command-line tool writes (CMYK, YCCK, a
 * profile split over two markers), for the JPEG and WebP tests. Run by
 * tools/make_photo_fixtures.sh, which makes the other files from these with Debian's tools:
 *
 *   cc -O2 tools/make_photo_fixtures.c -ljpeg -llcms2 -lpng16 -lm -o /tmp/make_photo_fixtures
 *   /tmp/make_photo_fixtures FOLDER
 *
 * Writes into FOLDER (deterministic: no time stamps; profile dates zeroed):
 *   rgb.ppm, rgb.png        48×32 RGB: smooth ramps in each channel plus a hard diagonal edge
 *   grey.pgm                48×32 grey ramp with a hard edge
 *   marked.ppm, marked.png  32×16 RGB in four 16×8 quadrants, red top left, green top right,
 *                           blue bottom left, white bottom right: where the red corner lands
 *                           tells each EXIF orientation apart
 *   marked-inverse.png      its negative (the second frame of animated.webp)
 *   p3.ppm, p3.png          8×8 RGB, the colours of make_profile_pngs.c (untagged)
 *   alpha.png               16×16 RGBA: red ramp across, alpha (17·y) down, blue 200
 *   display-p3.icc          Display P3 (D65, P3 primaries, sRGB curve), built with LittleCMS
 *                           as make_profile_pngs.c builds it
 *   cmyk-test.icc           a CMYK output profile made for testing (below)
 *   cmyk-adobe.jpg          32×16 CMYK JPEG, quality 100, Adobe APP14 marker, values stored
 *                           inverted as Adobe's applications do, cmyk-test.icc embedded
 *   ycck-adobe.jpg          the same, YCCK-encoded (libjpeg's YCC transform of C, M, Y)
 *   cmyk-no-profile.jpg     the same CMYK file without the profile
 *   p3-split-icc.jpg        p3.ppm at quality 100, 4:4:4, Display P3 profile split into two
 *                           APP2 ICC_PROFILE markers written in reverse order (2 of 2, then
 *                           1 of 2), which the reader must reassemble
 *   scans-190.jpg           rgb.ppm, quality 90, 4:4:4, progressive with one scan per
 *                           coefficient and component: 1 DC scan + 3 × 63 AC scans = 190
 *                           (under the reader's limit of 500)
 *   scans-568.jpg           the same with each AC scan split into three successive-
 *                           approximation steps (bits 2+, then bit 1, then bit 0): 1 + 3 × 63
 *                           × 3 = 568 scans (over the limit). cjpeg and jpegtran read at most
 *                           100 scans from a script, libjpeg itself has no limit.
 *
 * cmyk-test.icc: CMYK in, PCS XYZ, one lutAtoBType (A2B0): identity curves, a CLUT with 6
 * nodes per ink (0, 20, …, 100 %) holding the linear-light sRGB of the naive model
 *   R = (1 − C)(1 − K),  G = (1 − M)(1 − K),  B = (1 − Y)(1 − K),
 * identity curves, then the matrix of LittleCMS's own sRGB colorants (linear sRGB → XYZ
 * D50, scaled by 32768/65535, LittleCMS's encoding of XYZ in a LUT), identity curves. Its
 * conversion to sRGB is therefore sRGB-encode of the model, exactly at the nodes: the
 * CMYK patches use only node values (multiples of 51) and fill whole 8×8 blocks, so at
 * quality 100 they decode exactly, and the test can check the result by hand. */
#include <lcms2.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

static char folder[4000];

static FILE *open_out(const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(1); }
    return f;
}

static void write_pnm(const char *name, int w, int h, int channels, const unsigned char *px) {
    FILE *f = open_out(name);
    fprintf(f, "P%d\n%d %d\n255\n", channels == 1 ? 5 : 6, w, h);
    fwrite(px, 1, (size_t)w * h * channels, f);
    fclose(f);
}

static void write_png(const char *name, int w, int h, int channels, const unsigned char *px) {
    FILE *f = open_out(name);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) { fprintf(stderr, "libpng failed on %s\n", name); exit(1); }
    png_init_io(png, f);
    png_set_IHDR(png, info, w, h, 8, channels == 4 ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) png_write_row(png, (png_bytep)(px + (size_t)y * w * channels));
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    fclose(f);
}

static unsigned char *profile_bytes(cmsHPROFILE p, cmsUInt32Number *size) {
    if (!cmsSaveProfileToMem(p, NULL, size)) { fprintf(stderr, "cannot save profile\n"); exit(1); }
    unsigned char *bytes = malloc(*size);
    cmsSaveProfileToMem(p, bytes, size);
    memset(bytes + 24, 0, 12); /* creation date/time: zero, for a reproducible file */
    return bytes;
}

static void write_file(const char *name, const void *bytes, size_t size) {
    FILE *f = open_out(name);
    fwrite(bytes, 1, size, f);
    fclose(f);
}

static unsigned char p3_colour(int x, int y, int c) { /* as make_profile_pngs.c */
    static const unsigned char levels[8] = {0, 10, 40, 90, 128, 180, 230, 255};
    int k = (c + y) % 3;
    return k == 0 ? levels[x] : (k == 1 ? levels[(x + y) % 8] : levels[(7 * y + 3) % 8]);
}

/* Ink (0…255, multiples of 51) of the CMYK test image's 8×8 patch (px, py), 4×2 patches. */
static unsigned char patch_ink(int px, int py, int c) {
    static const unsigned char inks[8][4] = {
        {0, 0, 0, 0}, {255, 0, 0, 0}, {0, 255, 0, 0}, {0, 0, 255, 0},
        {0, 0, 0, 255}, {51, 102, 153, 0}, {204, 51, 0, 102}, {102, 153, 204, 51}};
    return inks[py * 4 + px][c];
}

static cmsHPROFILE cmyk_test_profile(void) {
    cmsHPROFILE srgb = cmsCreate_sRGBProfile();
    cmsCIEXYZ *r = cmsReadTag(srgb, cmsSigRedColorantTag), *g = cmsReadTag(srgb, cmsSigGreenColorantTag),
              *b = cmsReadTag(srgb, cmsSigBlueColorantTag);
    const double s = 32768.0 / 65535.0;
    double matrix[9] = {r->X * s, g->X * s, b->X * s, r->Y * s, g->Y * s, b->Y * s, r->Z * s, g->Z * s, b->Z * s};
    double offset[3] = {0, 0, 0};
    enum { N = 6 };
    static cmsUInt16Number table[N * N * N * N * 3];
    for (int c = 0; c < N; c++)
        for (int m = 0; m < N; m++)
            for (int y = 0; y < N; y++)
                for (int k = 0; k < N; k++) {
                    int i = ((c * N + m) * N + y) * N + k; /* the first input varies slowest */
                    double kk = 1 - (double)k / (N - 1);
                    double rgb[3] = {(1 - (double)c / (N - 1)) * kk, (1 - (double)m / (N - 1)) * kk,
                                     (1 - (double)y / (N - 1)) * kk};
                    for (int o = 0; o < 3; o++) table[3 * i + o] = (cmsUInt16Number)(rgb[o] * 65535 + 0.5);
                }
    cmsUInt32Number grid[4] = {N, N, N, N};
    cmsPipeline *lut = cmsPipelineAlloc(NULL, 4, 3);
    cmsPipelineInsertStage(lut, cmsAT_END, cmsStageAllocToneCurves(NULL, 4, NULL));
    cmsPipelineInsertStage(lut, cmsAT_END, cmsStageAllocCLut16bitGranular(NULL, grid, 4, 3, table));
    cmsPipelineInsertStage(lut, cmsAT_END, cmsStageAllocToneCurves(NULL, 3, NULL));
    cmsPipelineInsertStage(lut, cmsAT_END, cmsStageAllocMatrix(NULL, 3, 3, matrix, offset));
    cmsPipelineInsertStage(lut, cmsAT_END, cmsStageAllocToneCurves(NULL, 3, NULL));
    cmsHPROFILE p = cmsCreateProfilePlaceholder(NULL);
    cmsSetProfileVersion(p, 4.3);
    cmsSetDeviceClass(p, cmsSigOutputClass);
    cmsSetColorSpace(p, cmsSigCmykData);
    cmsSetPCS(p, cmsSigXYZData);
    cmsMLU *text = cmsMLUalloc(NULL, 1);
    cmsMLUsetASCII(text, "en", "US", "stylize test CMYK: naive model, for tests only");
    cmsWriteTag(p, cmsSigProfileDescriptionTag, text);
    cmsWriteTag(p, cmsSigMediaWhitePointTag, cmsD50_XYZ());
    if (!cmsWriteTag(p, cmsSigAToB0Tag, lut)) { fprintf(stderr, "cannot write A2B0\n"); exit(1); }
    cmsMLUfree(text);
    cmsPipelineFree(lut);
    cmsCloseProfile(srgb);
    return p;
}

/* A 32×16 CMYK JPEG of the patches, quality 100, stored inverted (Adobe). */
static void write_cmyk_jpeg(const char *name, J_COLOR_SPACE space, const unsigned char *icc, size_t icc_size) {
    FILE *f = open_out(name);
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr err;
    cinfo.err = jpeg_std_error(&err);
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, f);
    cinfo.image_width = 32;
    cinfo.image_height = 16;
    cinfo.input_components = 4;
    cinfo.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&cinfo);
    jpeg_set_colorspace(&cinfo, space); /* writes the Adobe marker for CMYK and YCCK */
    jpeg_set_quality(&cinfo, 100, TRUE);
    for (int c = 0; c < cinfo.num_components; c++) cinfo.comp_info[c].h_samp_factor = cinfo.comp_info[c].v_samp_factor = 1;
    jpeg_start_compress(&cinfo, TRUE);
    if (icc) jpeg_write_icc_profile(&cinfo, icc, (unsigned)icc_size);
    unsigned char row[32 * 4];
    for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 32; x++)
            for (int c = 0; c < 4; c++) row[4 * x + c] = 255 - patch_ink(x / 8, y / 8, c);
        JSAMPROW rows[1] = {row};
        jpeg_write_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    fclose(f);
}

static void write_split_icc_jpeg(const char *name, const unsigned char *p3, const unsigned char *icc, size_t icc_size) {
    FILE *f = open_out(name);
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr err;
    cinfo.err = jpeg_std_error(&err);
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, f);
    cinfo.image_width = 8;
    cinfo.image_height = 8;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, 100, TRUE);
    for (int c = 0; c < cinfo.num_components; c++) cinfo.comp_info[c].h_samp_factor = cinfo.comp_info[c].v_samp_factor = 1;
    jpeg_start_compress(&cinfo, TRUE);
    size_t half = icc_size / 2;
    for (int part = 2; part >= 1; part--) {
        size_t from = part == 1 ? 0 : half, size = part == 1 ? half : icc_size - half;
        unsigned char *marker = malloc(14 + size);
        memcpy(marker, "ICC_PROFILE", 12); /* with its terminating zero */
        marker[12] = (unsigned char)part;
        marker[13] = 2;
        memcpy(marker + 14, icc + from, size);
        jpeg_write_marker(&cinfo, JPEG_APP0 + 2, marker, (unsigned)(14 + size));
        free(marker);
    }
    for (int y = 0; y < 8; y++) {
        JSAMPROW rows[1] = {(JSAMPROW)(p3 + y * 8 * 3)};
        jpeg_write_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    fclose(f);
}

/* rgb (48×32) as a progressive JPEG, quality 90, 4:4:4, one scan per coefficient and
 * component, each AC coefficient in `steps` successive-approximation scans (1 or 3). */
static void write_scans_jpeg(const char *name, const unsigned char *rgb, int steps) {
    FILE *f = open_out(name);
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr err;
    cinfo.err = jpeg_std_error(&err);
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, f);
    cinfo.image_width = 48;
    cinfo.image_height = 32;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, 90, TRUE);
    for (int c = 0; c < cinfo.num_components; c++) cinfo.comp_info[c].h_samp_factor = cinfo.comp_info[c].v_samp_factor = 1;
    static jpeg_scan_info scans[1 + 3 * 63 * 3];
    int n = 0;
    scans[n++] = (jpeg_scan_info){3, {0, 1, 2, 0}, 0, 0, 0, 0};
    for (int c = 0; c < 3; c++)
        for (int k = 1; k < 64; k++) {
            if (steps == 1) {
                scans[n++] = (jpeg_scan_info){1, {c, 0, 0, 0}, k, k, 0, 0};
            } else {
                scans[n++] = (jpeg_scan_info){1, {c, 0, 0, 0}, k, k, 0, 2};
                scans[n++] = (jpeg_scan_info){1, {c, 0, 0, 0}, k, k, 2, 1};
                scans[n++] = (jpeg_scan_info){1, {c, 0, 0, 0}, k, k, 1, 0};
            }
        }
    cinfo.scan_info = scans;
    cinfo.num_scans = n;
    jpeg_start_compress(&cinfo, TRUE);
    for (int y = 0; y < 32; y++) {
        JSAMPROW rows[1] = {(JSAMPROW)(rgb + y * 48 * 3)};
        jpeg_write_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    fclose(f);
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s FOLDER\n", argv[0]); return 64; }
    snprintf(folder, sizeof folder, "%s", argv[1]);

    static unsigned char rgb[48 * 32 * 3], grey[48 * 32], marked[32 * 16 * 3], p3[8 * 8 * 3], alpha[16 * 16 * 4];
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 48; x++) {
            unsigned char *p = rgb + (y * 48 + x) * 3;
            int edge = x + y > 40; /* a hard diagonal edge: chroma subsampling and ringing show there */
            p[0] = (unsigned char)(x * 255 / 47);
            p[1] = (unsigned char)(y * 255 / 31);
            p[2] = edge ? 220 : 30;
            grey[y * 48 + x] = (unsigned char)(edge ? 250 - 3 * y : 5 * x);
        }
    static const unsigned char quadrant[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 32; x++)
            memcpy(marked + (y * 32 + x) * 3, quadrant[(y / 8) * 2 + x / 16], 3);
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 8; x++)
            for (int c = 0; c < 3; c++) p3[(y * 8 + x) * 3 + c] = p3_colour(x, y, c);
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 16; x++) {
            unsigned char *p = alpha + (y * 16 + x) * 4;
            p[0] = (unsigned char)(17 * x);
            p[1] = 100;
            p[2] = 200;
            p[3] = (unsigned char)(17 * y);
        }
    write_pnm("rgb.ppm", 48, 32, 3, rgb);
    write_png("rgb.png", 48, 32, 3, rgb);
    write_pnm("grey.pgm", 48, 32, 1, grey);
    write_pnm("marked.ppm", 32, 16, 3, marked);
    write_png("marked.png", 32, 16, 3, marked);
    static unsigned char inverse[32 * 16 * 3];
    for (int i = 0; i < 32 * 16 * 3; i++) inverse[i] = (unsigned char)(255 - marked[i]);
    write_png("marked-inverse.png", 32, 16, 3, inverse);
    write_pnm("p3.ppm", 8, 8, 3, p3);
    write_png("p3.png", 8, 8, 3, p3);
    write_png("alpha.png", 16, 16, 4, alpha);

    cmsCIExyY d65 = {0.3127, 0.3290, 1.0};
    cmsCIExyYTRIPLE primaries = {{0.680, 0.320, 1.0}, {0.265, 0.690, 1.0}, {0.150, 0.060, 1.0}};
    const cmsFloat64Number srgb_curve[5] = {2.4, 1.0 / 1.055, 0.055 / 1.055, 1.0 / 12.92, 0.04045};
    cmsToneCurve *curve = cmsBuildParametricToneCurve(NULL, 4, srgb_curve);
    cmsToneCurve *curves[3] = {curve, curve, curve};
    cmsUInt32Number p3_size = 0, cmyk_size = 0;
    unsigned char *p3_icc = profile_bytes(cmsCreateRGBProfile(&d65, &primaries, curves), &p3_size);
    unsigned char *cmyk_icc = profile_bytes(cmyk_test_profile(), &cmyk_size);
    write_file("display-p3.icc", p3_icc, p3_size);
    write_file("cmyk-test.icc", cmyk_icc, cmyk_size);

    write_cmyk_jpeg("cmyk-adobe.jpg", JCS_CMYK, cmyk_icc, cmyk_size);
    write_cmyk_jpeg("ycck-adobe.jpg", JCS_YCCK, cmyk_icc, cmyk_size);
    write_cmyk_jpeg("cmyk-no-profile.jpg", JCS_CMYK, NULL, 0);
    write_split_icc_jpeg("p3-split-icc.jpg", p3, p3_icc, p3_size);
    write_scans_jpeg("scans-190.jpg", rgb, 1);
    write_scans_jpeg("scans-568.jpg", rgb, 3);
    printf("wrote the source images, profiles and CMYK/split-profile JPEGs into %s\n", folder);
    return 0;
}
