/* A Sim over a memory image: the real walk, and no operating system behind it. */
#include "image_int.h"
#include "sim_int.h"

Sim *sim_create_image(const Image *img, char *err, size_t errlen)
{
    const Geometry *g = &img->m.geo;
    pfn_t top = img->nframes ? img->frames[img->nframes - 1].pfn : 0;
    if (img->root >= img->m.memory.frames || top >= img->m.memory.frames) {
        sim_fmt_err(err, errlen, "the image uses frame %llu but the machine has %llu frames",
                    (unsigned long long)(img->root > top ? img->root : top),
                    (unsigned long long)img->m.memory.frames);
        return NULL;
    }
    MachineConfig m = img->m;
    m.memory.separate_tables = false;
    Sim *s = sim_create(&m, err, errlen);
    if (!s)
        return NULL;
    Process *p = sim_add_process(s, 1, "image", err, errlen);
    if (!p) {
        sim_destroy(s);
        return NULL;
    }
    /* The image's own root replaces the empty one a process starts with. */
    frames_free(&s->fp, p->root);
    p->pt_pages = 0;
    s->stats.table_pages = 0;
    p->root = img->root;
    for (size_t i = 0; i < img->nframes; i++) {
        if (mem_load(&s->fp, img->frames[i].pfn << g->page_shift, img->frames[i].bytes,
                     geo_page_size(g)) != 0) {
            sim_destroy(s);
            sim_fmt_err(err, errlen, "out of memory loading the image");
            return NULL;
        }
    }
    s->no_os = true;
    return s;
}

/* What stopped the walk, in words, with the level's name. */
static void fault_words(const Sim *s, const Walk *w, char *buf, size_t len)
{
    const char *lv = geo_level_name(&s->geo, w->level);
    switch (w->status) {
    case WALK_NONCANONICAL: snprintf(buf, len, "non-canonical address"); break;
    case WALK_PROTECTION: snprintf(buf, len, "%s entry forbids the access", lv); break;
    case WALK_RESERVED: snprintf(buf, len, "%s entry has a reserved bit set", lv); break;
    case WALK_MISALIGNED: snprintf(buf, len, "%s entry maps a misaligned superpage", lv); break;
    case WALK_AD: snprintf(buf, len, "%s entry's accessed/dirty bit is clear", lv); break;
    default: snprintf(buf, len, "%s entry not valid", lv); break;
    }
}

StepStatus image_fault(Sim *s, Process *p, vaddr_t va, AccessOp op, const Walk *w, StepInfo *info)
{
    char why[160], detail[200];
    fault_words(s, w, why, sizeof why);
    snprintf(detail, sizeof detail, "%s (no operating system: not repaired)", why);
    info->fault = FAULT_UNHANDLED;
    s->stats.page_faults++;
    p->stats.faults++;
    EMIT(s, .kind = EV_FAULT, .pid = p->pid, .va = va, .op = op, .fault = FAULT_UNHANDLED,
         .level = w->level, .detail = detail);
    return STEP_OK;
}
