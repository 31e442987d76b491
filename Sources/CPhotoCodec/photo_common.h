#ifndef STYLIZE_PHOTO_COMMON_H
#define STYLIZE_PHOTO_COMMON_H
/* Internal to CPhotoCodec. */
#include <stddef.h>

/* snprintf into the caller's message buffer (nothing when message_size is 0). */
void stylize_set_message(char *message, size_t message_size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
