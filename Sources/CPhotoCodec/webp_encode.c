#include "photo_codec.h"
#include "photo_common.h"

#include <stdlib.h>
#include <string.h>

#include <webp/encode.h>
#include <webp/mux.h>

static const char *error_text(WebPEncodingError error) {
    switch (error) {
    case VP8_ENC_ERROR_OUT_OF_MEMORY:
    case VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY: return "out of memory";
    case VP8_ENC_ERROR_BAD_DIMENSION: return "a WebP's sides are at most 16383 pixels";
    case VP8_ENC_ERROR_PARTITION0_OVERFLOW:
    case VP8_ENC_ERROR_PARTITION_OVERFLOW: return "the image is too large for one WebP partition";
    case VP8_ENC_ERROR_FILE_TOO_BIG: return "the image is too large for a WebP file (4 GB)";
    default: return "libwebp failed";
    }
}

int stylize_webp_encode(const uint8_t *rgba, uint32_t width, uint32_t height, int has_alpha, int quality,
                        const unsigned char *icc, size_t icc_size,
                        unsigned char **out, size_t *out_size, char *message, size_t message_size) {
    *out = NULL;
    *out_size = 0;
    stylize_set_message(message, message_size, "%s", "");
    if (width == 0 || height == 0 || width > WEBP_MAX_DIMENSION || height > WEBP_MAX_DIMENSION) {
        stylize_set_message(message, message_size, "a WebP's sides are at most %d pixels", WEBP_MAX_DIMENSION);
        return 1;
    }
    WebPConfig config;
    WebPPicture picture;
    if (!WebPConfigInit(&config) || !WebPPictureInit(&picture)) {
        stylize_set_message(message, message_size, "libwebp version mismatch");
        return 1;
    }
    config.quality = (float)(quality < 1 ? 1 : (quality > 100 ? 100 : quality));
    config.use_sharp_yuv = 1;  /* sharper colour edges than the default RGB→YUV averaging */
    picture.width = (int)width;
    picture.height = (int)height;
    WebPMemoryWriter writer;
    WebPMemoryWriterInit(&writer);
    picture.writer = WebPMemoryWrite;
    picture.custom_ptr = &writer;
    int stride = (int)width * 4;
    int imported = has_alpha ? WebPPictureImportRGBA(&picture, rgba, stride) : WebPPictureImportRGBX(&picture, rgba, stride);
    int ok = imported && WebPEncode(&config, &picture);
    if (!ok) {
        stylize_set_message(message, message_size, "cannot encode WebP (%s)",
                            imported ? error_text(picture.error_code) : "out of memory");
        WebPPictureFree(&picture);
        WebPMemoryWriterClear(&writer);
        return 1;
    }
    WebPPictureFree(&picture);

    /* With a profile, the mux rewrites the simple file as an extended one (VP8X) with an
     * ICCP chunk before the image. */
    WebPData assembled = {writer.mem, writer.size};
    WebPMux *mux = NULL;
    int status = 0;
    if (icc && icc_size > 0) {
        WebPData image = {writer.mem, writer.size};
        WebPData profile = {icc, icc_size};
        mux = WebPMuxNew();
        WebPDataInit(&assembled);
        if (!mux || WebPMuxSetImage(mux, &image, 0) != WEBP_MUX_OK || WebPMuxSetChunk(mux, "ICCP", &profile, 0) != WEBP_MUX_OK
            || WebPMuxAssemble(mux, &assembled) != WEBP_MUX_OK) {
            stylize_set_message(message, message_size, "cannot add the colour profile to the WebP (libwebpmux)");
            status = 1;
        }
    }
    if (status == 0) {
        *out = (unsigned char *)malloc(assembled.size);
        if (*out) {
            memcpy(*out, assembled.bytes, assembled.size);
            *out_size = assembled.size;
        } else {
            stylize_set_message(message, message_size, "out of memory");
            status = 1;
        }
    }
    if (mux) {
        WebPDataClear(&assembled);
        WebPMuxDelete(mux);
    }
    WebPMemoryWriterClear(&writer);
    return status;
}
