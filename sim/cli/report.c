/* Run reports: text for people, JSON and CSV for programs. Keys are documented in
 * docs/reports.md. */
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "record.h"
#include "vmsim/describe.h"

static const char *scope_tables(const MachineConfig *m)
{
    return m->memory.separate_tables ? "separate" : "ram";
}

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0.0; }

void report_split_words(const Geometry *g, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned l = 0; l < g->levels && n < len; l++)
        n += (size_t)snprintf(buf + n, len - n, "%u+", g->level_bits[l]);
    if (n < len)
        snprintf(buf + n, len - n, "%u", g->page_shift);
}

static const char *const tlb_names[SIM_TLBS] = { "dtlb", "itlb", "stlb" };

/* "64 entries, 4-way, lru" */
static void tlb_words(char *buf, size_t len, unsigned entries, unsigned ways, TlbPolicy policy)
{
    snprintf(buf, len, "%u entries, %u-way, %s", entries, ways ? ways : entries, tlb_policy_name(policy));
}

static void text_machine(FILE *out, const MachineConfig *m)
{
    char split[64];
    report_split_words(&m->geo, split, sizeof split);
    fprintf(out, "machine   %s, %u levels (%s bits), %" PRIu64 "-byte pages\n", arch_name(m->geo.arch),
            m->geo.levels, split, geo_page_size(&m->geo));
    char words[96];
    tlb_words(words, sizeof words, m->tlb.entries, m->tlb.ways, m->tlb.policy);
    if (m->tlb.entries)
        fprintf(out, "tlb       %s%s%s\n", m->itlb.entries ? "data: " : "", words,
                m->tlb.asid ? ", ASID-tagged" : ", flushed on switch");
    else
        fprintf(out, "tlb       none\n");
    if (m->itlb.entries) {
        tlb_words(words, sizeof words, m->itlb.entries, m->itlb.ways, m->itlb.policy);
        fprintf(out, "itlb      instructions: %s\n", words);
    }
    if (m->stlb.entries) {
        tlb_words(words, sizeof words, m->stlb.entries, m->stlb.ways, m->stlb.policy);
        fprintf(out, "stlb      second level: %s\n", words);
    }
    fprintf(out, "memory    %" PRIu64 " frames, %s replacement, page tables in %s\n", m->memory.frames,
            policy_name(m->memory.policy), m->memory.separate_tables ? "a separate pool" : "RAM");
    if (m->swap.slots == SWAP_UNLIMITED)
        fprintf(out, "swap      unlimited\n");
    else
        fprintf(out, "swap      %" PRIu64 " slots\n", m->swap.slots);
}

void report_counters(FILE *out, const Sim *sim)
{
    const SimStats *st = sim_stats(sim);
    const MachineConfig *m = sim_machine(sim);
    fprintf(out, "references      %12" PRIu64 "\n", st->references);
    if (!sim_has_tlb(sim)) {
        fprintf(out, "TLB                     none\n");
    } else {
        fprintf(out, "TLB hits        %12" PRIu64 "  (%.2f%%)\n", st->tlb_hits, 100.0 * ratio(st->tlb_hits, st->references));
        fprintf(out, "TLB misses      %12" PRIu64 "\n", st->tlb_misses);
    }
    for (int i = 0; i < SIM_TLBS; i++) {
        const Tlb *t = sim_tlb_at(sim, (SimTlb)i);
        if (t->entries && (i != SIM_DTLB || m->itlb.entries || m->stlb.entries))
            fprintf(out, "  %s          %12" PRIu64 " hits, %" PRIu64 " misses, reach now %" PRIu64 " KiB\n",
                    tlb_names[i], t->hits, t->misses, tlb_reach(t) >> 10);
    }
    fprintf(out, "page faults     %12" PRIu64 "  (minor %" PRIu64 ", major %" PRIu64 ")\n",
            st->page_faults, st->minor_faults, st->major_faults);
    fprintf(out, "evictions       %12" PRIu64 "\n", st->evictions);
    fprintf(out, "write-backs     %12" PRIu64 "\n", st->writebacks);
    fprintf(out, "swap-ins        %12" PRIu64 "\n", st->swap_ins);
    fprintf(out, "segfaults       %12" PRIu64 "\n", st->segfaults + st->arch_faults);
    fprintf(out, "OOM kills       %12" PRIu64 "\n", st->oom_kills);
    if (st->cow_copies)
        fprintf(out, "COW copies      %12" PRIu64 "\n", st->cow_copies);
    if (st->enomem)
        fprintf(out, "ENOMEM refusals %12" PRIu64 "\n", st->enomem);
    if (st->bus_errors)
        fprintf(out, "bus errors      %12" PRIu64 "\n", st->bus_errors);
    fprintf(out, "page walks      %12" PRIu64 "  (%" PRIu64 " entries read)\n", st->walks, st->walk_reads);
    fprintf(out, "table pages     %12" PRIu64 "\n", st->table_pages);
    fprintf(out, "cycles          %12" PRIu64 "  (%.2f per reference)\n", st->cycles, ratio(st->cycles, st->references));
}

void report_text(FILE *out, const Session *s)
{
    if (s->sc.title)
        fprintf(out, "%s\n\n", s->sc.title);
    text_machine(out, sim_machine(s->sim));
    fprintf(out, "trace     %s\n\n", s->trace_label);
    report_counters(out, s->sim);
    fprintf(out, "\n  PID  NAME             STATE     RSS   SWAP  TABLES      REFS  FAULTS  OOM_SCORE\n");
    for (size_t i = 0; i < sim_nprocs(s->sim); i++) {
        const Process *p = sim_proc(s->sim, i);
        fprintf(out, "%5d  %-16s %-7s %5" PRIu64 "  %5" PRIu64 "  %6" PRIu64 "  %8" PRIu64 "  %6" PRIu64
                "  %9u\n", p->pid, p->name, describe_proc_state(p->state), p->rss, p->swap, p->pt_pages,
                p->stats.references, p->stats.faults, sim_oom_score(s->sim, p));
        if (p->state != PROC_RUNNING)
            fprintf(out, "       %s\n", p->exit_reason);
    }
}

void csv_str(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* ---- JSON ------------------------------------------------------------------ */

void json_str(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", out);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

static void json_machine(FILE *out, const MachineConfig *m)
{
    fprintf(out, "  \"machine\": {\"arch\": \"%s\", \"page_size\": %" PRIu64 ", \"levels\": [",
            arch_name(m->geo.arch), geo_page_size(&m->geo));
    for (unsigned l = 0; l < m->geo.levels; l++)
        fprintf(out, "%s%u", l ? ", " : "", m->geo.level_bits[l]);
    fprintf(out, "], \"va_bits\": %u,\n", m->geo.va_bits);
    fprintf(out, "    \"tlb\": {\"entries\": %u, \"ways\": %u, \"policy\": \"%s\", \"asid\": %s},\n",
            m->tlb.entries, m->tlb.ways ? m->tlb.ways : m->tlb.entries, tlb_policy_name(m->tlb.policy),
            m->tlb.asid ? "true" : "false");
    fprintf(out, "    \"memory\": {\"frames\": %" PRIu64 ", \"policy\": \"%s\", \"page_tables\": \"%s\"},\n",
            m->memory.frames, policy_name(m->memory.policy), scope_tables(m));
    if (m->swap.slots == SWAP_UNLIMITED)
        fprintf(out, "    \"swap\": {\"slots\": null}},\n");
    else
        fprintf(out, "    \"swap\": {\"slots\": %" PRIu64 "}},\n", m->swap.slots);
}

void report_json_begin(FILE *out, const Session *s)
{
    fputs("{\n  \"scenario\": ", out);
    json_str(out, s->sc.path);
    fputs(",\n  \"title\": ", out);
    json_str(out, s->sc.title);
    fputs(",\n  \"trace\": ", out);
    json_str(out, s->trace_label);
    fputs(",\n", out);
    json_machine(out, sim_machine(s->sim));
}

/* Ends an access's object: the record's fields (when there is one), then the brace. */
static void json_close(FILE *out, const AccessRecord *rec, const StepInfo *st)
{
    if (rec)
        record_json(out, rec, st);
    fputc('}', out);
}

void report_json_access(FILE *out, const StepInfo *st, int first, const AccessRecord *rec)
{
    fprintf(out, "%s    {\"step\": %" PRIu64 ", \"line\": %lu, \"pid\": %d, ", first ? "  \"accesses\": [\n" : ",\n",
            st->step, st->line, st->pid);
    if (st->kind == STEP_SWITCH) {
        fputs("\"op\": \"switch\"", out);
        json_close(out, rec, st);
        return;
    }
    if (st->kind == STEP_EVENT) {
        fprintf(out, "\"op\": \"%s\", \"result\": %" PRId64 ", \"fault\": ", trace_op_name(st->event), st->result);
        if (st->fault == FAULT_NONE)
            fputs("null", out);
        else
            fprintf(out, "\"%s\"", fault_kind_name(st->fault));
        json_close(out, rec, st);
        return;
    }
    fprintf(out, "\"op\": \"%c\", \"va\": \"0x%" PRIx64 "\", ", access_op_letter(st->op), st->va);
    if (st->pa == PADDR_NONE)
        fputs("\"pa\": null, ", out);
    else
        fprintf(out, "\"pa\": \"0x%" PRIx64 "\", ", st->pa);
    if (st->no_tlb && st->kind != STEP_SKIP)
        fputs("\"tlb\": null, \"fault\": ", out);
    else
        fprintf(out, "\"tlb\": \"%s\", \"fault\": ", st->kind == STEP_SKIP ? "skipped" : st->tlb_hit ? "hit" : "miss");
    if (st->fault == FAULT_NONE)
        fputs("null", out);
    else
        fprintf(out, "\"%s\"", fault_kind_name(st->fault));
    json_close(out, rec, st);
}

void report_counter_rows(const SimStats *st, ReportCounter rows[REPORT_COUNTERS])
{
    const ReportCounter all[REPORT_COUNTERS] = {
        { "steps", st->steps }, { "references", st->references }, { "tlb_hits", st->tlb_hits },
        { "tlb_misses", st->tlb_misses }, { "stlb_hits", st->stlb_hits },
        { "page_faults", st->page_faults },
        { "minor_faults", st->minor_faults }, { "major_faults", st->major_faults },
        { "evictions", st->evictions }, { "writebacks", st->writebacks },
        { "swap_ins", st->swap_ins }, { "swap_outs", st->swap_outs },
        { "segfaults", st->segfaults + st->arch_faults }, { "arch_faults", st->arch_faults },
        { "oom_kills", st->oom_kills }, { "walks", st->walks }, { "walk_reads", st->walk_reads },
        { "table_pages", st->table_pages }, { "skipped", st->skipped }, { "cycles", st->cycles },
        { "cow_copies", st->cow_copies }, { "bus_errors", st->bus_errors }, { "enomem", st->enomem },
    };
    memcpy(rows, all, sizeof all);
}

void report_rates(const SimStats *st, char *hit_rate, char *eat, size_t len)
{
    snprintf(hit_rate, len, "%.6f", ratio(st->tlb_hits, st->references));
    snprintf(eat, len, "%.4f", ratio(st->cycles, st->references));
}

bool report_counter_is_tlb(const char *name)
{
    return strncmp(name, "tlb_", 4) == 0 || strncmp(name, "stlb_", 5) == 0;
}

static void json_stats(FILE *out, const SimStats *st, bool tlb)
{
    ReportCounter rows[REPORT_COUNTERS];
    char hit_rate[32], eat[32];
    report_counter_rows(st, rows);
    report_rates(st, hit_rate, eat, sizeof hit_rate);
    fputs("  \"stats\": {", out);
    for (size_t i = 0; i < REPORT_COUNTERS; i++) {
        if (!tlb && report_counter_is_tlb(rows[i].name))   /* no TLB: its counters are none, not zero */
            fprintf(out, "%s\"%s\": null", i ? ", " : "", rows[i].name);
        else
            fprintf(out, "%s\"%s\": %" PRIu64, i ? ", " : "", rows[i].name, rows[i].value);
    }
    fprintf(out, ", \"tlb_hit_rate\": %s, \"effective_access_time\": %s},\n", tlb ? hit_rate : "null", eat);
}

/* Each TLB present: its geometry, hits, misses and the bytes its valid entries map. */
static void json_tlbs(FILE *out, const Sim *sim)
{
    fputs("  \"tlbs\": [", out);
    int n = 0;
    for (int i = 0; i < SIM_TLBS; i++) {
        const Tlb *t = sim_tlb_at(sim, (SimTlb)i);
        if (!t->entries)
            continue;
        fprintf(out, "%s\n    {\"name\": \"%s\", \"entries\": %u, \"ways\": %u, \"policy\": \"%s\", "
                "\"hits\": %" PRIu64 ", \"misses\": %" PRIu64 ", \"reach\": %" PRIu64 "}",
                n++ ? "," : "", tlb_names[i], t->entries, t->ways, tlb_policy_name(t->policy),
                t->hits, t->misses, tlb_reach(t));
    }
    fputs(n ? "\n  ],\n" : "],\n", out);
}

void report_json_end(FILE *out, const Session *s, int had_accesses, const char *halt)
{
    if (had_accesses)
        fputs("\n  ],\n", out);
    json_stats(out, sim_stats(s->sim), sim_has_tlb(s->sim));
    json_tlbs(out, s->sim);
    fputs("  \"halted\": ", out);
    json_str(out, halt);
    fputs(",\n  \"processes\": [", out);
    for (size_t i = 0; i < sim_nprocs(s->sim); i++) {
        const Process *p = sim_proc(s->sim, i);
        fprintf(out, "%s\n    {\"pid\": %d, \"name\": ", i ? "," : "", p->pid);
        json_str(out, p->name);
        fprintf(out, ", \"state\": \"%s\", \"rss\": %" PRIu64 ", \"swap\": %" PRIu64 ", \"pt_pages\": %" PRIu64
                ", \"references\": %" PRIu64 ", \"page_faults\": %" PRIu64 ", \"oom_score\": %u"
                ", \"oom_score_adj\": %d, \"committed\": %" PRIu64 ", \"exit_reason\": ",
                describe_proc_state(p->state), p->rss, p->swap, p->pt_pages, p->stats.references,
                p->stats.faults, sim_oom_score(s->sim, p), p->oom_score_adj, p->committed);
        json_str(out, p->state == PROC_RUNNING ? NULL : p->exit_reason);
        fputc('}', out);
    }
    fputs("\n  ]\n}\n", out);
}

/* ---- CSV ------------------------------------------------------------------- */

void report_csv_stats(FILE *out, const Session *s)
{
    const SimStats *st = sim_stats(s->sim);
    const MachineConfig *m = sim_machine(s->sim);
    fputs("arch,page_size,tlb_entries,tlb_ways,frames,policy,references,tlb_hits,tlb_misses,"
          "page_faults,minor_faults,major_faults,evictions,writebacks,swap_ins,segfaults,oom_kills,"
          "table_pages,cycles\n", out);
    char hits[24] = "", misses[24] = "";    /* empty with no TLB */
    if (sim_has_tlb(s->sim)) {
        snprintf(hits, sizeof hits, "%" PRIu64, st->tlb_hits);
        snprintf(misses, sizeof misses, "%" PRIu64, st->tlb_misses);
    }
    fprintf(out, "%s,%" PRIu64 ",%u,%u,%" PRIu64 ",%s,%" PRIu64 ",%s,%s,%" PRIu64
            ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
            ",%" PRIu64 ",%" PRIu64 "\n",
            arch_name(m->geo.arch), geo_page_size(&m->geo), m->tlb.entries,
            m->tlb.ways ? m->tlb.ways : m->tlb.entries, m->memory.frames, policy_name(m->memory.policy),
            st->references, hits, misses, st->page_faults, st->minor_faults,
            st->major_faults, st->evictions, st->writebacks, st->swap_ins,
            st->segfaults + st->arch_faults, st->oom_kills, st->table_pages, st->cycles);
}

void report_csv_header(FILE *out, bool record)
{
    fputs(record ? "step,line,pid,op,va,pa,tlb,fault,vpn,result,victim_pid,victim_vpn,victim_frame,writeback\n"
                 : "step,line,pid,op,va,pa,tlb,fault\n", out);
}

/* Ends a row: the record's columns (when there is one), then the newline. */
static void csv_close(FILE *out, const AccessRecord *rec, const StepInfo *st)
{
    if (rec)
        record_csv(out, rec, st);
    fputc('\n', out);
}

void report_csv_access(FILE *out, const StepInfo *st, const AccessRecord *rec)
{
    if (st->kind == STEP_SWITCH) {
        fprintf(out, "%" PRIu64 ",%lu,%d,switch,,,,", st->step, st->line, st->pid);
        csv_close(out, rec, st);
        return;
    }
    if (st->kind == STEP_EVENT) {
        fprintf(out, "%" PRIu64 ",%lu,%d,%s,,%" PRId64 ",,%s", st->step, st->line, st->pid,
                trace_op_name(st->event), st->result,
                st->fault == FAULT_NONE ? "" : fault_kind_name(st->fault));
        csv_close(out, rec, st);
        return;
    }
    fprintf(out, "%" PRIu64 ",%lu,%d,%c,0x%" PRIx64 ",", st->step, st->line, st->pid,
            access_op_letter(st->op), st->va);
    if (st->pa != PADDR_NONE)
        fprintf(out, "0x%" PRIx64, st->pa);
    fprintf(out, ",%s,%s", st->kind == STEP_SKIP ? "skipped" : st->no_tlb ? "" : st->tlb_hit ? "hit" : "miss",
            st->fault == FAULT_NONE ? "" : fault_kind_name(st->fault));
    csv_close(out, rec, st);
}
