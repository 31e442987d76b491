#include "photo_codec.h"
#include "photo_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void stylize_set_message(char *message, size_t message_size, const char *format, ...) {
    if (!message || !message_size) return;
    va_list args;
    va_start(args, format);
    vsnprintf(message, message_size, format, args);
    va_end(args);
}

void stylize_photo_free(stylize_photo *photo) {
    free(photo->pixels);
    free(photo->icc);
    free(photo->exif);
    photo->pixels = NULL;
    photo->icc = NULL;
    photo->exif = NULL;
    photo->icc_size = photo->exif_size = 0;
}
