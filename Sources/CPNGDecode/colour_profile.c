#include "colour_profile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Colour management of PNG input, with LittleCMS 2 (never by hand):
 *
 *   sRGB chunk, or no colour chunk       no conversion: the samples are sRGB already
 *   iCCP                                 source profile = the embedded ICC profile
 *   gAMA and/or cHRM (no iCCP, no sRGB)  source profile built from the valid ones: the cHRM
 *                                        white point and primaries (sRGB's, D65, without a
 *                                        valid cHRM), tone curve x^(1/gAMA) (sRGB's curve
 *                                        without a valid gAMA); an invalid one is ignored
 *                                        with a warning (stylize_colour.warning)
 *
 * The destination is LittleCMS's built-in sRGB profile. Intent: relative colorimetric.
 * For the matrix-shaper profiles photos carry (Display P3, Adobe RGB, ProPhoto, gAMA/cHRM)
 * LittleCMS has no perceptual table and uses colorimetric anyway; relative colorimetric
 * keeps every colour sRGB can show exactly and clips only what it cannot, which makes the
 * result predictable and checkable against plain matrix arithmetic (the tests do).
 *
 * Float pixel formats are used on purpose: LittleCMS evaluates float transforms in floating
 * point without resampling the pipeline into a 16-bit lookup grid, so the error is far
 * below one 8-bit level even in the steep dark end of a linear-to-sRGB conversion. (The
 * default 16-bit pipeline was tried: PngSuite's linear grey level 1 came out 6, not 13.) */

static void on_cms_error(cmsContext context, cmsUInt32Number code, const char *text) {
    (void)code;
    stylize_colour *c = (stylize_colour *)cmsGetContextUserData(context);
    if (c && !c->message[0] && text) {
        strncpy(c->message, text, sizeof c->message - 1);
        c->message[sizeof c->message - 1] = '\0';
    }
}

static int fail(stylize_colour *c, const char *prefix) {
    char detail[sizeof c->message];
    strncpy(detail, c->message, sizeof detail);
    snprintf(c->message, sizeof c->message, "%s%s%s", prefix, detail[0] ? ": " : "", detail);
    return 1;
}

/* CRC-32 of the PNG specification (ISO 3309, polynomial 0xEDB88320), over type and data. */
static uint32_t chunk_crc(const unsigned char *bytes, size_t length) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < length; i++) {
        crc ^= bytes[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xFFFFFFFFu;
}

static uint32_t be32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/* Twice the signed area of the triangle (a, b, c) in the xy plane. */
static double area2(const double *a, const double *b, const double *c) {
    return (b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1]);
}

/* Empty string if the eight chromaticities (white, red, green, blue; x then y) describe an
 * RGB colour space, else why not. */
static const char *chromaticity_problem(const double *xy) {
    int zero = 1;
    for (int i = 0; i < 8; i++) zero &= xy[i] == 0;
    if (zero) return "all chromaticities are 0";
    for (int i = 0; i < 4; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        if (y <= 0) return "a chromaticity has y = 0";
        if (x + y > 1 + 1e-9) return "a chromaticity lies outside the diagram (x + y > 1)";
    }
    const double *w = xy, *r = xy + 2, *g = xy + 4, *b = xy + 6;
    double whole = area2(r, g, b);
    if (fabs(whole) < 1e-6) return "the red, green and blue primaries lie on one line";
    /* Barycentric coordinates of the white point: all positive inside the triangle. */
    if (area2(w, g, b) / whole <= 0 || area2(r, w, b) / whole <= 0 || area2(r, g, w) / whole <= 0)
        return "the white point lies outside the primaries' triangle";
    return "";
}

void stylize_colour_chunks_read(const unsigned char *data, size_t size, stylize_colour_chunks *out) {
    memset(out, 0, sizeof *out);
    size_t offset = 8;
    while (size >= 12 && offset <= size - 12) {
        uint32_t length = be32(data + offset);
        if (length > size - offset - 12) return;  /* check_chunks refused such a file already */
        const unsigned char *type = data + offset + 4, *body = data + offset + 8;
        if (memcmp(type, "IDAT", 4) == 0 || memcmp(type, "IEND", 4) == 0) return;
        int gama = memcmp(type, "gAMA", 4) == 0 && !out->gamma_present;
        int chrm = memcmp(type, "cHRM", 4) == 0 && !out->chrm_present;
        int crc_ok = 1;
#ifndef STYLIZE_FUZZ_IGNORE_CHECKSUMS
        if (gama || chrm) crc_ok = chunk_crc(type, 4 + (size_t)length) == be32(body + length);
#endif
        if (gama) {
            out->gamma_present = 1;
            uint32_t g = length == 4 ? be32(body) : 0;
            if (!crc_ok) snprintf(out->gamma_problem, sizeof out->gamma_problem, "its CRC does not match");
            else if (length != 4) snprintf(out->gamma_problem, sizeof out->gamma_problem, "%u bytes, not 4", length);
            else if (g == 0 || g > 0x7fffffffu) snprintf(out->gamma_problem, sizeof out->gamma_problem, "gamma %u", g);
            else { out->gamma_valid = 1; out->gamma = g / 100000.0; }
        }
        if (chrm) {
            out->chrm_present = 1;
            const char *problem = "";
            if (!crc_ok) problem = "its CRC does not match";
            else if (length != 32) problem = "not 32 bytes";
            else {
                for (int i = 0; i < 8; i++) {
                    uint32_t v = be32(body + 4 * i);
                    if (v > 0x7fffffffu) { problem = "a value above 2^31 - 1"; break; }
                    out->xy[i] = v / 100000.0;
                }
                if (!problem[0]) problem = chromaticity_problem(out->xy);
            }
            if (problem[0]) snprintf(out->chrm_problem, sizeof out->chrm_problem, "%s", problem);
            else out->chrm_valid = 1;
        }
        offset += 12 + (size_t)length;
    }
}

/* The profile that gAMA and cHRM describe, from the valid ones only, or NULL if neither is
 * valid. Sets c->warning when one was present but invalid (and so ignored). For a grey
 * image cHRM has no effect and is not judged. */
static cmsHPROFILE profile_from_chunks(const stylize_colour_chunks *k, int grey, cmsContext ctx, stylize_colour *c) {
    int bad_gamma = k->gamma_present && !k->gamma_valid;
    int bad_chrm = !grey && k->chrm_present && !k->chrm_valid;
    int use_chrm = k->chrm_valid;
    /* What is done instead (used only when one of them is invalid). */
    const char *result = grey ? (k->gamma_valid ? "the grey levels are converted with its gAMA" : "the grey levels are read as sRGB")
        : k->gamma_valid ? "the colours are converted with its gAMA and the sRGB primaries"
        : use_chrm ? "the colours are converted with its cHRM and the sRGB tone curve"
        : "the colours are read as sRGB";
    if (bad_gamma && bad_chrm)
        snprintf(c->warning, sizeof c->warning, "invalid gAMA chunk (%s) and cHRM chunk (%s) ignored; %s",
                 k->gamma_problem, k->chrm_problem, result);
    else if (bad_gamma)
        snprintf(c->warning, sizeof c->warning, "invalid gAMA chunk ignored (%s); %s", k->gamma_problem, result);
    else if (bad_chrm)
        snprintf(c->warning, sizeof c->warning, "invalid cHRM chunk ignored (%s); %s", k->chrm_problem, result);
    if (!k->gamma_valid && !use_chrm) return NULL;
    cmsToneCurve *curve = NULL;
    if (k->gamma_valid) {
        /* gAMA is the encoding exponent: sample = linear^g, so linear = sample^(1/g). */
        curve = cmsBuildGamma(ctx, 1.0 / k->gamma);
    } else {
        /* cHRM alone: the sRGB curve (IEC 61966-2-1), the assumption for untagged data. */
        const cmsFloat64Number srgb[5] = {2.4, 1.0 / 1.055, 0.055 / 1.055, 1.0 / 12.92, 0.04045};
        curve = cmsBuildParametricToneCurve(ctx, 4, srgb);
    }
    if (!curve) return NULL;
    cmsHPROFILE profile = NULL;
    if (grey) {
        profile = cmsCreateGrayProfileTHR(ctx, cmsD50_xyY(), curve);
    } else {
        cmsCIExyY white = {0.3127, 0.3290, 1.0};
        cmsCIExyYTRIPLE primaries = {{0.64, 0.33, 1.0}, {0.30, 0.60, 1.0}, {0.15, 0.06, 1.0}};
        if (use_chrm) {
            const double *v = k->xy;
            white = (cmsCIExyY){v[0], v[1], 1.0};
            primaries = (cmsCIExyYTRIPLE){{v[2], v[3], 1.0}, {v[4], v[5], 1.0}, {v[6], v[7], 1.0}};
        }
        cmsToneCurve *curves[3] = {curve, curve, curve};
        profile = cmsCreateRGBProfileTHR(ctx, &white, &primaries, curves);
    }
    cmsFreeToneCurve(curve);
    return profile;
}

static int open_transform(stylize_colour *c, cmsHPROFILE source, int channels, uint32_t width);

int stylize_colour_open(png_structp png, png_infop info, int grey, int profile_rejected,
                        const char *libpng_reason, const stylize_colour_chunks *chunks,
                        uint32_t width, stylize_colour *c) {
    memset(c, 0, sizeof *c);
    if (png_get_valid(png, info, PNG_INFO_sRGB)) return 0;  /* sRGB wins over everything */
    if (profile_rejected && !png_get_valid(png, info, PNG_INFO_iCCP)) {
        snprintf(c->message, sizeof c->message, "its ICC profile is invalid (%s); remove the iCCP chunk to read it as sRGB",
                 libpng_reason && libpng_reason[0] ? libpng_reason : "rejected by libpng");
        return 1;
    }
    c->context = cmsCreateContext(NULL, c);
    if (!c->context) return fail(c, "out of memory");
    cmsSetLogErrorHandlerTHR(c->context, on_cms_error);

    cmsHPROFILE source = NULL;
    png_charp name = NULL;
    png_bytep bytes = NULL;
    png_uint_32 length = 0;
    int compression = 0;
    int embedded = png_get_valid(png, info, PNG_INFO_iCCP)
        && png_get_iCCP(png, info, &name, &compression, &bytes, &length) && bytes && length > 0;
    if (embedded) {
        source = cmsOpenProfileFromMemTHR(c->context, bytes, length);
        if (!source) return fail(c, "its ICC profile cannot be read (LittleCMS)");
    } else {
        source = profile_from_chunks(chunks, grey, c->context, c);
        if (!source) return 0;
    }
    return open_transform(c, source, grey ? STYLIZE_COLOUR_GREY : STYLIZE_COLOUR_RGB, width);
}

/* Builds c->transform from `source` (closed here in every case) to LittleCMS's sRGB, for
 * samples of `channels` (STYLIZE_COLOUR_*), and the two scratch rows. 0 or 1 (message). */
static int open_transform(stylize_colour *c, cmsHPROFILE source, int channels, uint32_t width) {
    static const char *names[5] = {"", "grey", "", "RGB", "CMYK"};
    cmsColorSpaceSignature expected = channels == STYLIZE_COLOUR_GREY ? cmsSigGrayData
        : (channels == STYLIZE_COLOUR_CMYK ? cmsSigCmykData : cmsSigRgbData);
    if (cmsGetColorSpace(source) != expected) {
        cmsCloseProfile(source);
        snprintf(c->message, sizeof c->message, "its ICC profile is for another colour space than the image's %s", names[channels]);
        return 1;
    }
    c->channels = channels;
    cmsUInt32Number input = channels == STYLIZE_COLOUR_GREY ? TYPE_GRAY_FLT : (channels == STYLIZE_COLOUR_CMYK ? TYPE_CMYK_FLT : TYPE_RGB_FLT);
    cmsHPROFILE srgb = cmsCreate_sRGBProfileTHR(c->context);
    if (srgb) {
        c->transform = cmsCreateTransformTHR(c->context, source, input, srgb, TYPE_RGB_FLT, INTENT_RELATIVE_COLORIMETRIC, 0);
        cmsCloseProfile(srgb);
    }
    cmsCloseProfile(source);
    if (!c->transform) return fail(c, "its colour profile cannot be converted to sRGB (LittleCMS)");
    c->in = (float *)malloc(sizeof(float) * 4 * (size_t)width);
    c->out = (float *)malloc(sizeof(float) * 3 * (size_t)width);
    if (!c->in || !c->out) return fail(c, "out of memory");
    return 0;
}

void stylize_colour_row(stylize_colour *c, uint16_t *rgba, uint32_t width) {
    if (!c->transform) return;
    for (uint32_t x = 0; x < width; x++) {
        const uint16_t *px = rgba + 4 * (size_t)x;
        if (c->channels == STYLIZE_COLOUR_GREY) {
            c->in[x] = px[0] / 65535.0f;
        } else if (c->channels == STYLIZE_COLOUR_CMYK) {
            /* LittleCMS's float CMYK is ink in percent, 0…100 */
            for (int k = 0; k < 4; k++) c->in[4 * (size_t)x + k] = px[k] * (100.0f / 65535.0f);
        } else {
            for (int k = 0; k < 3; k++) c->in[3 * (size_t)x + k] = px[k] / 65535.0f;
        }
    }
    cmsDoTransform(c->transform, c->in, c->out, width);
    for (uint32_t x = 0; x < width; x++) {
        for (int k = 0; k < 3; k++) {
            float v = c->out[3 * (size_t)x + k];
            v = v != v ? 0.0f : (v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v));  /* NaN → 0 */
            rgba[4 * (size_t)x + k] = (uint16_t)(v * 65535.0f + 0.5f);
        }
        if (c->channels == STYLIZE_COLOUR_CMYK) rgba[4 * (size_t)x + 3] = 65535;  /* K was there: opaque */
    }
}

void stylize_colour_close(stylize_colour *c) {
    if (c->transform) cmsDeleteTransform(c->transform);
    if (c->context) cmsDeleteContext(c->context);
    free(c->in);
    free(c->out);
    memset(c, 0, sizeof *c);
}

/* MARK: - Any image's samples, from an ICC profile in memory (JPEG, WebP) */

int stylize_icc_to_srgb(const unsigned char *icc, size_t icc_size, int channels, uint16_t *samples,
                        uint32_t width, uint32_t height, char *message, size_t message_size) {
    stylize_colour c;
    memset(&c, 0, sizeof c);
    int status = 0;
    if (channels != STYLIZE_COLOUR_GREY && channels != STYLIZE_COLOUR_RGB && channels != STYLIZE_COLOUR_CMYK) {
        snprintf(c.message, sizeof c.message, "unsupported colour layout");
        status = 1;
    } else if (!icc || icc_size == 0 || icc_size > 0xffffffffu) {
        snprintf(c.message, sizeof c.message, "its ICC profile is empty");
        status = 1;
    } else if (!(c.context = cmsCreateContext(NULL, &c))) {
        status = fail(&c, "out of memory");
    } else {
        cmsSetLogErrorHandlerTHR(c.context, on_cms_error);
        cmsHPROFILE source = cmsOpenProfileFromMemTHR(c.context, icc, (cmsUInt32Number)icc_size);
        status = source ? open_transform(&c, source, channels, width) : fail(&c, "its ICC profile cannot be read (LittleCMS)");
    }
    if (status == 0)
        for (uint32_t y = 0; y < height; y++) stylize_colour_row(&c, samples + (size_t)y * width * 4, width);
    if (status != 0 && message_size) {
        strncpy(message, c.message, message_size - 1);
        message[message_size - 1] = '\0';
    }
    stylize_colour_close(&c);
    return status;
}

int stylize_srgb_profile(unsigned char **bytes, size_t *size) {
    *bytes = NULL;
    *size = 0;
    cmsHPROFILE srgb = cmsCreate_sRGBProfile();
    if (!srgb) return 1;
    cmsUInt32Number length = 0;
    int status = 1;
    if (cmsSaveProfileToMem(srgb, NULL, &length) && length > 0 && (*bytes = (unsigned char *)malloc(length))
        && cmsSaveProfileToMem(srgb, *bytes, &length)) {
        /* The header's creation date (bytes 24…35) is zeroed, so that the same image always
         * gives the same file; the profile ID is not computed (zero), so nothing else
         * depends on it. */
        memset(*bytes + 24, 0, 12);
        *size = length;
        status = 0;
    } else {
        free(*bytes);
        *bytes = NULL;
    }
    cmsCloseProfile(srgb);
    return status;
}
