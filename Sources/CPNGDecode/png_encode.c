#include "png_encode.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    unsigned char *data;
    size_t size, capacity;
    char *message;
    size_t message_size;
} writer_state;

static void on_error(png_structp png, png_const_charp text) {
    writer_state *s = (writer_state *)png_get_error_ptr(png);
    if (s && s->message && s->message_size) {
        strncpy(s->message, text ? text : "cannot encode PNG", s->message_size - 1);
        s->message[s->message_size - 1] = '\0';
    }
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp text) { (void)png; (void)text; }

/* Appends to a growing buffer (doubling), so the whole file is built in memory and then
 * written atomically by the caller. */
static void on_write(png_structp png, png_bytep bytes, png_size_t count) {
    writer_state *s = (writer_state *)png_get_io_ptr(png);
    if (s->capacity - s->size < count) {
        size_t capacity = s->capacity ? s->capacity : 65536;
        while (capacity - s->size < count) {
            if (capacity > SIZE_MAX / 2) png_error(png, "out of memory");
            capacity *= 2;
        }
        unsigned char *grown = (unsigned char *)realloc(s->data, capacity);
        if (!grown) png_error(png, "out of memory");
        s->data = grown;
        s->capacity = capacity;
    }
    memcpy(s->data + s->size, bytes, count);
    s->size += count;
}

static void on_flush(png_structp png) { (void)png; }

int stylize_png_encode(const uint16_t *samples, uint32_t width, uint32_t height, int channels, int bit_depth,
                       unsigned char **png_out, size_t *size, char *message, size_t message_size) {
    *png_out = NULL;
    *size = 0;
    if (message_size) message[0] = '\0';
    writer_state state = {NULL, 0, 0, message, message_size};
    unsigned char *volatile row = NULL;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &state, on_error, on_warning);
    if (!png) return 1;
    png_infop info = png_create_info_struct(png);
    if (!info) { png_destroy_write_struct(&png, NULL); return 1; }
    if (setjmp(png_jmpbuf(png))) {
        free(row);
        free(state.data);
        png_destroy_write_struct(&png, &info);
        return 1;
    }
    if ((channels != 3 && channels != 4) || (bit_depth != 8 && bit_depth != 16) || width == 0 || height == 0)
        png_error(png, "unsupported image layout");
    png_set_write_fn(png, &state, on_write, on_flush);
    png_set_IHDR(png, info, width, height, bit_depth, channels == 4 ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_sRGB_gAMA_and_cHRM(png, info, PNG_sRGB_INTENT_PERCEPTUAL);
    png_write_info(png, info);
    size_t per_row = (size_t)width * (size_t)channels;
    row = (unsigned char *)malloc(per_row * (size_t)(bit_depth / 8));
    if (!row) png_error(png, "out of memory");
    for (uint32_t y = 0; y < height; y++) {
        const uint16_t *src = samples + (size_t)y * per_row;
        if (bit_depth == 8) {
            for (size_t i = 0; i < per_row; i++) row[i] = (unsigned char)src[i];
        } else {
            for (size_t i = 0; i < per_row; i++) {  /* big-endian, as PNG stores it */
                row[2 * i] = (unsigned char)(src[i] >> 8);
                row[2 * i + 1] = (unsigned char)(src[i] & 0xFF);
            }
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    free(row);
    png_destroy_write_struct(&png, &info);
    *png_out = state.data;
    *size = state.size;
    return 0;
}
