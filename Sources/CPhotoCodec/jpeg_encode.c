#include "photo_codec.h"
#include "photo_common.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char *message;
    size_t message_size;
} encoder_state;

static void on_error_exit(j_common_ptr cinfo) {
    encoder_state *s = (encoder_state *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    stylize_set_message(s->message, s->message_size, "cannot encode JPEG (libjpeg: %s)", text);
    longjmp(s->jump, 1);
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }

int stylize_jpeg_encode(const uint8_t *rgb, uint32_t width, uint32_t height, int quality,
                        const unsigned char *icc, size_t icc_size,
                        unsigned char **out, size_t *out_size, char *message, size_t message_size) {
    *out = NULL;
    *out_size = 0;
    stylize_set_message(message, message_size, "%s", "");
    if (width == 0 || height == 0 || width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION) {
        stylize_set_message(message, message_size, "a JPEG's sides are at most %ld pixels", (long)JPEG_MAX_DIMENSION);
        return 1;
    }
    struct jpeg_compress_struct cinfo;
    encoder_state state;
    memset(&state, 0, sizeof state);
    state.message = message;
    state.message_size = message_size;
    /* jpeg_mem_dest grows this buffer with malloc (it is not freed by jpeg_destroy). */
    unsigned char *volatile buffer = NULL;
    unsigned long size = 0;
    cinfo.err = jpeg_std_error(&state.pub);
    state.pub.error_exit = on_error_exit;
    state.pub.output_message = on_output_message;
    if (setjmp(state.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return 1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, (unsigned char **)&buffer, &size);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality < 1 ? 1 : (quality > 100 ? 100 : quality), TRUE);
    cinfo.optimize_coding = TRUE;
    if (quality >= 90) {  /* no chroma subsampling: painted edges between colours stay sharp */
        for (int c = 0; c < cinfo.num_components; c++)
            cinfo.comp_info[c].h_samp_factor = cinfo.comp_info[c].v_samp_factor = 1;
    }
    jpeg_start_compress(&cinfo, TRUE);
    if (icc && icc_size > 0) jpeg_write_icc_profile(&cinfo, icc, (unsigned int)icc_size);
    while (cinfo.next_scanline < height) {
        JSAMPROW row = (JSAMPROW)(rgb + (size_t)cinfo.next_scanline * width * 3);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = buffer;
    *out_size = size;
    return 0;
}
