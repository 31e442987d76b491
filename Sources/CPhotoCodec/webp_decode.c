#include "photo_codec.h"
#include "photo_common.h"

#include <stdlib.h>
#include <string.h>

#include <webp/decode.h>
#include <webp/demux.h>

static const char *status_text(VP8StatusCode status) {
    switch (status) {
    case VP8_STATUS_OUT_OF_MEMORY: return "out of memory";
    case VP8_STATUS_INVALID_PARAM: return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR: return "invalid WebP data (libwebp: bitstream error)";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "unsupported WebP feature (libwebp)";
    case VP8_STATUS_NOT_ENOUGH_DATA: return "file is truncated (libwebp: not enough data)";
    default: return "invalid WebP data (libwebp)";
    }
}

/* A copy of the first chunk `fourcc` of the container, if there is one. */
static int copy_chunk(WebPDemuxer *demux, const char *fourcc, unsigned char **bytes, size_t *size) {
    WebPChunkIterator it;
    int status = 0;
    if (WebPDemuxGetChunk(demux, fourcc, 1, &it)) {
        if (it.chunk.size > 0) {
            *bytes = (unsigned char *)malloc(it.chunk.size);
            if (*bytes) {
                memcpy(*bytes, it.chunk.bytes, it.chunk.size);
                *size = it.chunk.size;
            } else {
                status = 1;
            }
        }
        WebPDemuxReleaseChunkIterator(&it);
    }
    return status;
}

int stylize_webp_decode(const unsigned char *data, size_t size, uint64_t max_pixels, int header_only,
                        stylize_photo *photo, char *message, size_t message_size) {
    memset(photo, 0, sizeof *photo);
    stylize_set_message(message, message_size, "%s", "");
    WebPBitstreamFeatures features;
    VP8StatusCode status = WebPGetFeatures(data, size, &features);
    if (status != VP8_STATUS_OK) {
        stylize_set_message(message, message_size, "%s", status_text(status));
        return 1;
    }
    if (features.has_animation) {
        stylize_set_message(message, message_size, "animated WebP is not supported (only still images)");
        return 1;
    }
    if (features.width <= 0 || features.height <= 0) {
        stylize_set_message(message, message_size, "invalid WebP data (no image size)");
        return 1;
    }
    photo->width = (uint32_t)features.width;
    photo->height = (uint32_t)features.height;
    if ((uint64_t)photo->width * (uint64_t)photo->height > max_pixels) return 2;
    photo->space = STYLIZE_SPACE_RGB;
    photo->has_alpha = features.has_alpha != 0;

    /* The container, checked whole by the demuxer (every chunk's size must fit the file),
     * for its ICCP and EXIF chunks (extended format only). */
    WebPData whole = {data, size};
    WebPDemuxer *demux = WebPDemux(&whole);
    if (!demux) {
        stylize_set_message(message, message_size, "invalid or truncated WebP container (a chunk's size does not fit the file)");
        return 1;
    }
    uint32_t flags = WebPDemuxGetI(demux, WEBP_FF_FORMAT_FLAGS);
    int failed = 0;
    if (flags & EXIF_FLAG) failed |= copy_chunk(demux, "EXIF", &photo->exif, &photo->exif_size);
    if (!header_only && (flags & ICCP_FLAG)) failed |= copy_chunk(demux, "ICCP", &photo->icc, &photo->icc_size);
    WebPDemuxDelete(demux);
    if (failed) {
        stylize_photo_free(photo);
        stylize_set_message(message, message_size, "out of memory");
        return 1;
    }
    if (header_only) return 0;

    /* 16-bit RGBA out, 8-bit RGBA decoded into the buffer's upper half first and widened in
     * place from the front: sample i (bytes 2i, 2i+1) overwrites 8-bit samples 2i−4n and
     * 2i+1−4n, which are at most i and so already read. Saves a second buffer. */
    size_t n = (size_t)photo->width * photo->height;
    photo->pixels = (uint16_t *)malloc(n * 8);
    if (!photo->pixels) {
        stylize_photo_free(photo);
        stylize_set_message(message, message_size, "out of memory");
        return 1;
    }
    uint8_t *rgba8 = (uint8_t *)photo->pixels + n * 4;
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config)) {
        stylize_photo_free(photo);
        stylize_set_message(message, message_size, "libwebp version mismatch");
        return 1;
    }
    config.output.colorspace = MODE_RGBA;  /* not premultiplied */
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = rgba8;
    config.output.u.RGBA.stride = (int)photo->width * 4;
    config.output.u.RGBA.size = n * 4;
    status = WebPDecode(data, size, &config);
    WebPFreeDecBuffer(&config.output);
    if (status != VP8_STATUS_OK) {
        stylize_photo_free(photo);
        stylize_set_message(message, message_size, "%s", status_text(status));
        return 1;
    }
    for (size_t i = 0; i < 4 * n; i++) {
        uint8_t v = rgba8[i];
        photo->pixels[i] = (uint16_t)(v * 257);
    }
    return 0;
}
