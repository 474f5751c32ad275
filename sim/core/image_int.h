/* vmsim: what image.c and image_dump.c share: a growing text buffer. Not part of the
 * public API (include/vmsim/image.h is). */
#ifndef VMSIM_IMAGE_INT_H
#define VMSIM_IMAGE_INT_H

#include "vmsim/image.h"

typedef struct Buf {
    char *p;
    size_t len, cap;
    bool oom;                  /* an allocation failed: buf_take gives NULL */
} Buf;

/* Appends printf-style text. */
void buf_add(Buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Appends n bytes as lowercase hex pairs. */
void buf_hex(Buf *b, const uint8_t *bytes, size_t n);
/* The text (caller frees; "" when nothing was added), or NULL after a failure. */
char *buf_take(Buf *b);

#endif
