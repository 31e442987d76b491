#include "png_decode.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const unsigned char *data;
    size_t size, offset;
    char *message;
    size_t message_size;
} reader_state;

static void on_error(png_structp png, png_const_charp text) {
    reader_state *s = (reader_state *)png_get_error_ptr(png);
    if (s && s->message && s->message_size) {
        strncpy(s->message, text ? text : "invalid PNG data", s->message_size - 1);
        s->message[s->message_size - 1] = '\0';
    }
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp text) { (void)png; (void)text; }

static void on_read(png_structp png, png_bytep out, png_size_t count) {
    reader_state *s = (reader_state *)png_get_io_ptr(png);
    if (s->size - s->offset < count) png_error(png, "file is truncated");
    memcpy(out, s->data + s->offset, count);
    s->offset += count;
}

int stylize_png_decode(const unsigned char *data, size_t size, uint64_t max_pixels,
                       unsigned char **rgba, uint32_t *width, uint32_t *height,
                       char *message, size_t message_size) {
    reader_state state = {data, size, 0, message, message_size};
    unsigned char *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    *rgba = NULL;
    *width = *height = 0;
    if (message_size) message[0] = '\0';

    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, on_error, on_warning);
    if (!png) { strncpy(message, "out of memory", message_size); return 1; }
    png_infop info = png_create_info_struct(png);
    if (!info) { png_destroy_read_struct(&png, NULL, NULL); strncpy(message, "out of memory", message_size); return 1; }
    if (setjmp(png_jmpbuf(png))) {
        free(pixels);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return 1;
    }
    png_set_read_fn(png, &state, on_read);
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_read_info(png, info);

    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    *width = w;
    *height = h;
    if ((uint64_t)w * (uint64_t)h > max_pixels) {
        png_destroy_read_struct(&png, &info, NULL);
        return 2;
    }
    int color = png_get_color_type(png, info);
    int depth = png_get_bit_depth(png, info);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (depth == 16) png_set_scale_16(png);
    if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    png_set_filler(png, 0xFF, PNG_FILLER_AFTER);  /* no-op when an alpha channel exists */
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)w * 4) png_error(png, "unsupported pixel layout");

    pixels = (unsigned char *)malloc((size_t)w * h * 4);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * h);
    if (!pixels || !rows) png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < h; y++) rows[y] = pixels + (size_t)y * w * 4;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    *rgba = pixels;
    return 0;
}
