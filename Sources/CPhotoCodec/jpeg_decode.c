#include "photo_codec.h"
#include "photo_common.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

/* libjpeg's error manager, extended with the jump target and the caller's message buffer,
 * and its progress monitor, which counts scans. */
typedef struct {
    struct jpeg_error_mgr pub;
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    char *message;
    size_t message_size;
} decoder_state;

static void on_error_exit(j_common_ptr cinfo) {
    decoder_state *s = (decoder_state *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    int code = cinfo->err->msg_code;
    if (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER)
        stylize_set_message(s->message, s->message_size, "file is truncated (libjpeg: %s)", text);
    else
        stylize_set_message(s->message, s->message_size, "invalid JPEG data (libjpeg: %s)", text);
    longjmp(s->jump, 1);
}

/* Warnings (level -1) are errors, except two that say nothing about the pixels: stray bytes
 * between markers (some cameras write them) and an unknown JFIF minor revision. libjpeg
 * would otherwise go on after "premature end of JPEG file" with grey made-up data, so a
 * header promising 50 megapixels over a few bytes would decode in full; stopping at the
 * first warning ends it as soon as the data runs out. Trace messages (level > 0) are
 * dropped. */
static void on_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return;
    int code = cinfo->err->msg_code;
    if (code == JWRN_EXTRANEOUS_DATA || code == JWRN_JFIF_MAJOR) return;
    on_error_exit(cinfo);
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }

/* Called by libjpeg while it reads and decodes: refuses a progressive file with too many
 * scans (see STYLIZE_JPEG_MAX_SCANS). */
static void on_progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    int scans = ((j_decompress_ptr)cinfo)->input_scan_number;
    if (scans > STYLIZE_JPEG_MAX_SCANS) {
        decoder_state *s = (decoder_state *)cinfo->err;
        stylize_set_message(s->message, s->message_size, "progressive JPEG with more than %d scans",
                            STYLIZE_JPEG_MAX_SCANS);
        longjmp(s->jump, 1);
    }
}

/* The data of the first APP1 marker that starts with "Exif\0\0", after those 6 bytes. */
static int copy_exif(j_decompress_ptr cinfo, stylize_photo *photo) {
    for (jpeg_saved_marker_ptr m = cinfo->marker_list; m; m = m->next) {
        if (m->marker != JPEG_APP0 + 1 || m->data_length < 6 || memcmp(m->data, "Exif\0\0", 6) != 0) continue;
        size_t size = m->data_length - 6;
        if (size == 0) return 0;
        photo->exif = (unsigned char *)malloc(size);
        if (!photo->exif) return 1;
        memcpy(photo->exif, m->data + 6, size);
        photo->exif_size = size;
        return 0;
    }
    return 0;
}

int stylize_jpeg_decode(const unsigned char *data, size_t size, uint64_t max_pixels, int header_only,
                        stylize_photo *photo, char *message, size_t message_size) {
    memset(photo, 0, sizeof *photo);
    stylize_set_message(message, message_size, "%s", "");
    struct jpeg_decompress_struct cinfo;
    decoder_state state;
    memset(&state, 0, sizeof state);
    state.message = message;
    state.message_size = message_size;
    JSAMPLE *volatile row = NULL;
    cinfo.err = jpeg_std_error(&state.pub);
    state.pub.error_exit = on_error_exit;
    state.pub.emit_message = on_message;
    state.pub.output_message = on_output_message;
    if (setjmp(state.jump)) {
        free(row);
        stylize_photo_free(photo);
        jpeg_destroy_decompress(&cinfo);
        return 1;
    }
    jpeg_create_decompress(&cinfo);
    state.progress.progress_monitor = on_progress;
    cinfo.progress = &state.progress;
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    /* APP1 (EXIF) and APP2 (ICC) markers are kept; their total is bounded by the file. */
    jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_save_markers(&cinfo, JPEG_APP0 + 2, 0xFFFF);
    jpeg_read_header(&cinfo, TRUE);

    photo->width = cinfo.image_width;
    photo->height = cinfo.image_height;
    if ((uint64_t)photo->width * (uint64_t)photo->height > max_pixels) {
        jpeg_destroy_decompress(&cinfo);
        return 2;
    }
    int inverted = 0;
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo.out_color_space = JCS_GRAYSCALE;
        photo->space = STYLIZE_SPACE_GREY;
        break;
    case JCS_YCbCr:
    case JCS_RGB:
        cinfo.out_color_space = JCS_RGB;
        photo->space = STYLIZE_SPACE_RGB;
        break;
    case JCS_CMYK:
    case JCS_YCCK: /* libjpeg turns YCCK into CMYK */
        cinfo.out_color_space = JCS_CMYK;
        photo->space = STYLIZE_SPACE_CMYK;
        /* Adobe's applications write CMYK inverted (0 = full ink) and always with their
         * APP14 marker; libjpeg passes the values through as stored. Without the marker the
         * values are taken as ink amounts, as libjpeg's own cjpeg writes them. */
        inverted = cinfo.saw_Adobe_marker;
        break;
    default:
        stylize_set_message(message, message_size, "unsupported JPEG colour space (%d components)", cinfo.num_components);
        longjmp(state.jump, 1);
    }
    if (copy_exif(&cinfo, photo) != 0) ERREXIT1(&cinfo, JERR_OUT_OF_MEMORY, 1);
    if (header_only) {
        jpeg_destroy_decompress(&cinfo);
        return 0;
    }
    JOCTET *icc = NULL;
    unsigned int icc_size = 0;
    if (jpeg_read_icc_profile(&cinfo, &icc, &icc_size)) {
        photo->icc = icc;
        photo->icc_size = icc_size;
    }

    /* A progressive file is read whole here (every scan), before the image buffer exists. */
    jpeg_start_decompress(&cinfo);
    uint32_t w = cinfo.output_width, h = cinfo.output_height;
    int components = cinfo.output_components;
    if (w != photo->width || h != photo->height || components != (photo->space == STYLIZE_SPACE_GREY ? 1 : photo->space))
        ERREXIT(&cinfo, JERR_NOT_COMPILED);
    row = (JSAMPLE *)malloc((size_t)w * (size_t)components);
    /* Pages of this buffer are touched only as rows decode: a baseline file whose data runs
     * out stops at the first missing row. */
    photo->pixels = (uint16_t *)malloc((size_t)w * h * 8);
    if (!row || !photo->pixels) ERREXIT1(&cinfo, JERR_OUT_OF_MEMORY, 2);
    while (cinfo.output_scanline < h) {
        uint32_t y = cinfo.output_scanline;
        JSAMPROW rows[1] = {row};
        if (jpeg_read_scanlines(&cinfo, rows, 1) != 1) ERREXIT(&cinfo, JERR_INPUT_EOF);
        uint16_t *out = photo->pixels + (size_t)y * w * 4;
        for (uint32_t x = 0; x < w; x++, out += 4) {
            const JSAMPLE *in = row + (size_t)x * components;
            switch (photo->space) {
            case STYLIZE_SPACE_GREY:
                out[0] = out[1] = out[2] = (uint16_t)(in[0] * 257);
                out[3] = 65535;
                break;
            case STYLIZE_SPACE_RGB:
                for (int c = 0; c < 3; c++) out[c] = (uint16_t)(in[c] * 257);
                out[3] = 65535;
                break;
            default:
                for (int c = 0; c < 4; c++) out[c] = (uint16_t)((inverted ? 255 - in[c] : in[c]) * 257);
            }
        }
    }
    /* Every row is decoded: the data was complete. A missing EOI marker after it is not
     * worth refusing the photo for, so jpeg_finish_decompress (which would look for it) is
     * not called. */
    free(row);
    jpeg_destroy_decompress(&cinfo);
    return 0;
}
