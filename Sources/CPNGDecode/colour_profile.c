#include "colour_profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Colour management of PNG input, with LittleCMS 2 (never by hand):
 *
 *   sRGB chunk, or no colour chunk       no conversion: the samples are sRGB already
 *   iCCP                                 source profile = the embedded ICC profile
 *   gAMA and/or cHRM (no iCCP, no sRGB)  source profile built from them: the cHRM white
 *                                        point and primaries (sRGB's, D65, without cHRM),
 *                                        tone curve x^(1/gAMA) (sRGB's curve without gAMA)
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

/* The profile that gAMA and cHRM describe, or NULL if neither is present. */
static cmsHPROFILE profile_from_chunks(png_structp png, png_infop info, int grey, cmsContext ctx) {
    int has_gamma = png_get_valid(png, info, PNG_INFO_gAMA) != 0;
    int has_chrm = png_get_valid(png, info, PNG_INFO_cHRM) != 0;
    if (!has_gamma && !has_chrm) return NULL;
    cmsToneCurve *curve = NULL;
    png_fixed_point file_gamma = 0;
    if (has_gamma && png_get_gAMA_fixed(png, info, &file_gamma) && file_gamma > 0) {
        /* gAMA is the encoding exponent ×100000: sample = linear^g, so linear = sample^(1/g). */
        curve = cmsBuildGamma(ctx, 100000.0 / (double)file_gamma);
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
        double wx, wy, rx, ry, gx, gy, bx, by;
        if (has_chrm && png_get_cHRM(png, info, &wx, &wy, &rx, &ry, &gx, &gy, &bx, &by)) {
            white = (cmsCIExyY){wx, wy, 1.0};
            primaries = (cmsCIExyYTRIPLE){{rx, ry, 1.0}, {gx, gy, 1.0}, {bx, by, 1.0}};
        }
        cmsToneCurve *curves[3] = {curve, curve, curve};
        profile = cmsCreateRGBProfileTHR(ctx, &white, &primaries, curves);
    }
    cmsFreeToneCurve(curve);
    return profile;
}

static int open_transform(stylize_colour *c, cmsHPROFILE source, int channels, uint32_t width);

int stylize_colour_open(png_structp png, png_infop info, int grey, int profile_rejected,
                        const char *libpng_reason, uint32_t width, stylize_colour *c) {
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
        source = profile_from_chunks(png, info, grey, c->context);
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
