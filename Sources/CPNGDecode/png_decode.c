#include "png_decode.h"
#include "colour_profile.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest single ancillary chunk libpng may allocate (iCCP, zTXt, iTXt, unknown chunks),
 * decompressed: real ICC profiles are well under 1 MB, and this bounds a compressed-chunk
 * bomb. Image data (IDAT) is streamed and not subject to it. */
#define CHUNK_MALLOC_MAX (8u << 20)
/* Most ancillary chunks kept (tEXt, sPLT, unknown): a file of many tiny chunks cannot make
 * libpng build an unbounded list. */
#define CHUNK_CACHE_MAX 128

typedef struct {
    const unsigned char *data;
    size_t size, offset;
    char *message;
    size_t message_size;
    int profile_rejected;      /* libpng warned about the iCCP chunk (and may have dropped it) */
    char profile_reason[96];
} reader_state;

static void on_error(png_structp png, png_const_charp text) {
    reader_state *s = (reader_state *)png_get_error_ptr(png);
    if (s && s->message && s->message_size) {
        strncpy(s->message, text ? text : "invalid PNG data", s->message_size - 1);
        s->message[s->message_size - 1] = '\0';
    }
    png_longjmp(png, 1);
}

/* Warnings are not shown, with one exception remembered: libpng reports a bad iCCP chunk
 * ("iCCP: …", a benign error) and drops it; the decoder then refuses the file rather than
 * show a wide-gamut photo with the wrong colours (see png_decode.h). */
static void on_warning(png_structp png, png_const_charp text) {
    reader_state *s = (reader_state *)png_get_error_ptr(png);
    if (s && text && strncmp(text, "iCCP", 4) == 0 && !s->profile_rejected) {
        s->profile_rejected = 1;
        strncpy(s->profile_reason, text, sizeof s->profile_reason - 1);
        s->profile_reason[sizeof s->profile_reason - 1] = '\0';
    }
}

static void on_read(png_structp png, png_bytep out, png_size_t count) {
    reader_state *s = (reader_state *)png_get_io_ptr(png);
    if (s->size - s->offset < count) png_error(png, "file is truncated");
    memcpy(out, s->data + s->offset, count);
    s->offset += count;
}

static void set_message(char *message, size_t message_size, const char *text) {
    if (!message_size) return;
    strncpy(message, text, message_size - 1);
    message[message_size - 1] = '\0';
}

/* A read struct over `state` with the tool's limits: no side above max_pixels (a one-row
 * image of max_pixels is the widest that can pass), bounded ancillary chunks. */
static png_structp open_reader(reader_state *state, uint64_t max_pixels, png_infop *info) {
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, state, on_error, on_warning);
    if (!png) return NULL;
    *info = png_create_info_struct(png);
    if (!*info) { png_destroy_read_struct(&png, NULL, NULL); return NULL; }
    png_uint_32 side = max_pixels > 0x7fffffffu ? 0x7fffffffu : (png_uint_32)(max_pixels ? max_pixels : 1);
    png_set_user_limits(png, side, side);
    png_set_chunk_malloc_max(png, CHUNK_MALLOC_MAX);
    png_set_chunk_cache_max(png, CHUNK_CACHE_MAX);
    /* gAMA and cHRM are read by colour_profile.c from the raw bytes, each judged on its own;
     * libpng would mark the whole colour space invalid for one broken chunk and then drop a
     * valid gAMA, or an iCCP, beside it without a word. */
    static const png_byte own_chunks[] = {'g', 'A', 'M', 'A', '\0', 'c', 'H', 'R', 'M', '\0'};
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, own_chunks, 2);
    png_set_read_fn(png, state, on_read);
#ifdef STYLIZE_FUZZ_IGNORE_CHECKSUMS
    /* Fuzz builds only (Makefile, `make fuzz`): mutated inputs nearly always break a CRC or
     * the zlib Adler-32, which would stop most of them at the first chunk. A hostile file
     * can carry correct checksums, so skipping them explores a superset of what a release
     * build accepts. */
    png_set_crc_action(png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);
    png_set_option(png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
#endif
    return png;
}

/* Walks the chunk list up to IEND without decoding anything: every chunk's declared length
 * must fit in the bytes that remain. libpng allocates a buffer of the declared length for
 * some ancillary chunks before reading them, so an 87-byte file whose tEXt claims 1.3 GB
 * made it allocate 1.3 GB (found by fuzzing); after this check no chunk buffer can exceed
 * the file, whose size the caller has capped. Returns 0, or 1 with message set. */
static int check_chunks(const unsigned char *data, size_t size, char *message, size_t message_size) {
    size_t offset = 8;
    while (offset + 12 <= size) {
        uint32_t length = png_get_uint_32(data + offset);
        if (length > 0x7fffffffu || length > size - offset - 12) {
            char text[96];
            snprintf(text, sizeof text, "file is truncated or corrupt (a chunk claims %u bytes, %zu remain)",
                     length, size - offset - 12);
            set_message(message, message_size, text);
            return 1;
        }
        if (memcmp(data + offset + 4, "IEND", 4) == 0) return 0;
        offset += 12 + (size_t)length;
    }
    set_message(message, message_size, "file is truncated (no IEND chunk)");
    return 1;
}

int stylize_png_header(const unsigned char *data, size_t size, uint64_t max_pixels,
                       uint32_t *width, uint32_t *height, char *message, size_t message_size) {
    reader_state state = {data, size, 0, message, message_size, 0, ""};
    png_infop info = NULL;
    *width = *height = 0;
    set_message(message, message_size, "");
    if (size < 8 || check_chunks(data, size, message, message_size) != 0) return 1;
    /* The size an IHDR claims, read directly, so that an image above the pixel limit gets
     * status 2 (with its size) rather than libpng's "exceeds user limit" error. */
    if (size >= 24 && memcmp(data + 12, "IHDR", 4) == 0) {
        uint32_t w = png_get_uint_32(data + 16), h = png_get_uint_32(data + 20);
        if ((uint64_t)w * (uint64_t)h > max_pixels) { *width = w; *height = h; return 2; }
    }
    png_structp png = open_reader(&state, max_pixels, &info);
    if (!png) { set_message(message, message_size, "out of memory"); return 1; }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        return 1;
    }
    png_read_info(png, info);
    *width = png_get_image_width(png, info);
    *height = png_get_image_height(png, info);
    png_destroy_read_struct(&png, &info, NULL);
    return (uint64_t)*width * (uint64_t)*height > max_pixels ? 2 : 0;
}

/* Decodes every row into one reused row buffer, without transforms: proves that the data
 * stream is complete and valid before anything proportional to the claimed size is
 * allocated. Returns 0 or 1 (message set). */
static int validate(const unsigned char *data, size_t size, uint64_t max_pixels, char *message, size_t message_size) {
    reader_state state = {data, size, 0, message, message_size, 0, ""};
    png_infop info = NULL;
    unsigned char *volatile row = NULL;
    png_structp png = open_reader(&state, max_pixels, &info);
    if (!png) { set_message(message, message_size, "out of memory"); return 1; }
    if (setjmp(png_jmpbuf(png))) {
        free(row);
        png_destroy_read_struct(&png, &info, NULL);
        return 1;
    }
    png_read_info(png, info);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    png_uint_32 h = png_get_image_height(png, info);
    row = (unsigned char *)malloc(png_get_rowbytes(png, info));
    if (!row) png_error(png, "out of memory");
    for (int pass = 0; pass < passes; pass++)
        for (png_uint_32 y = 0; y < h; y++) png_read_row(png, row, NULL);
    png_read_end(png, NULL);
    free(row);
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

int stylize_png_decode(const unsigned char *data, size_t size, uint64_t max_pixels,
                       uint16_t **rgba, uint32_t *width, uint32_t *height,
                       char *message, size_t message_size, char *warning, size_t warning_size) {
    *rgba = NULL;
    set_message(warning, warning_size, "");
    int status = stylize_png_header(data, size, max_pixels, width, height, message, message_size);
    if (status != 0) return status;
    if (validate(data, size, max_pixels, message, message_size) != 0) return 1;

    reader_state state = {data, size, 0, message, message_size, 0, ""};
    png_infop info = NULL;
    uint16_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    stylize_colour colour;
    memset(&colour, 0, sizeof colour);
    png_structp png = open_reader(&state, max_pixels, &info);
    if (!png) { set_message(message, message_size, "out of memory"); return 1; }
    if (setjmp(png_jmpbuf(png))) {
        free(pixels);
        free(rows);
        stylize_colour_close(&colour);
        png_destroy_read_struct(&png, &info, NULL);
        return 1;
    }
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    int color = png_get_color_type(png, info);
    int depth = png_get_bit_depth(png, info);
    int grey = color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA;
    stylize_colour_chunks chunks;
    stylize_colour_chunks_read(data, size, &chunks);
    if (stylize_colour_open(png, info, grey, state.profile_rejected, state.profile_reason, &chunks, w, &colour) != 0)
        png_error(png, colour.message);
    set_message(warning, warning_size, colour.warning);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (depth < 16) png_set_expand_16(png);  /* v → v·257: exact, so v·255/65535 = v */
    if (grey) png_set_gray_to_rgb(png);
    png_set_filler(png, 0xFFFF, PNG_FILLER_AFTER);  /* no-op when an alpha channel exists */
    {   /* native byte order for uint16_t (PNG stores 16-bit samples big-endian) */
        const uint16_t probe = 1;
        if (*(const unsigned char *)&probe == 1) png_set_swap(png);
    }
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)w * 8) png_error(png, "unsupported pixel layout");

    pixels = (uint16_t *)malloc((size_t)w * h * 8);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * h);
    if (!pixels || !rows) png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < h; y++) rows[y] = (png_bytep)(pixels + (size_t)y * w * 4);
    png_read_image(png, rows);
    png_read_end(png, NULL);
    for (png_uint_32 y = 0; y < h; y++) stylize_colour_row(&colour, pixels + (size_t)y * w * 4, w);
    free(rows);
    stylize_colour_close(&colour);
    png_destroy_read_struct(&png, &info, NULL);
    *rgba = pixels;
    return 0;
}
