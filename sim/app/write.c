/* Files written whole or not at all (app.h): a temporary beside the target, renamed
 * over it once every byte is written. rename(2) within one folder is atomic, so a
 * reader sees the old file or the new one, never half of it. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

/* Creates PATH.tmpPID-N (O_EXCL: never someone else's file) with the mode fopen gives,
 * 0666 less the umask. Returns the stream with its name in tmp, or NULL with errno. */
static FILE *temp_beside(const char *path, char *tmp, size_t len)
{
    for (unsigned n = 0; n < 100; n++) {
        if ((size_t)snprintf(tmp, len, "%s.tmp%ld-%u", path, (long)getpid(), n) >= len) {
            errno = ENAMETOOLONG;
            return NULL;
        }
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd >= 0) {
            FILE *f = fdopen(fd, "w");
            if (!f)
                close(fd);
            return f;
        }
        if (errno != EEXIST)
            return NULL;
    }
    return NULL;
}

int app_write_file(const char *path, int (*fn)(FILE *f, void *ctx), void *ctx, char *err,
                   size_t errlen)
{
    char tmp[4200];
    FILE *f = temp_beside(path, tmp, sizeof tmp);
    if (!f) {
        if (err)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    errno = 0;
    int failed = fn(f, ctx);
    int bad = ferror(f) != 0;
    bad |= fclose(f) != 0;
    if (!failed && !bad && rename(tmp, path) == 0)
        return 0;
    if (!failed && err)              /* fn says why it failed; the rest is the system's */
        snprintf(err, errlen, "%s: %s", path, errno ? strerror(errno) : "cannot write");
    int saved = errno;
    unlink(tmp);
    errno = saved;                   /* for callers that word it themselves */
    return -1;
}

typedef struct Text {
    const char *text;
    size_t len;
} Text;

/* A short write shows in ferror, which app_write_file checks. */
static int text_write(FILE *f, void *ctx)
{
    const Text *t = ctx;
    fwrite(t->text, 1, t->len, f);
    return 0;
}

int app_write_text(const char *path, const char *text, size_t len, char *err, size_t errlen)
{
    Text t = { text, len };
    return app_write_file(path, text_write, &t, err, errlen);
}
