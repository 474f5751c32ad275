# A student's CS1550-style simulator, for the grade-sim example (docs/grading.md):
#   awk -v nf=FRAMES -v alg=lru|fifo -f sim.awk TRACE
# Global replacement over (process, page); 4 KiB pages; a dirty victim is a write to
# disk. Prints a reflog line per reference, then CS1550's summary.
function hex(s,   v, i) { v = 0; s = tolower(s); sub(/^0x/, "", s)
    for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
    return v }
{   n++; page = int(hex($2) / 4096); key = $3 ":" page; w = $1 == "s"
    hit = (key in stamp); victim = "-"; d = 0
    if (!hit) { faults++
        if (used == nf) { best = ""; for (k in stamp) if (best == "" || stamp[k] < stamp[best]) best = k
            split(best, parts, ":"); victim = parts[2]; d = dirty[best] + 0; writes += d
            delete stamp[best]; delete dirty[best]; used-- }
        used++; stamp[key] = n }
    if (alg == "lru") stamp[key] = n
    if (w) dirty[key] = 1
    printf "%d %d %s %s %s %d\n", n, page, w ? "W" : "R", hit ? "H" : "M", victim, d }
END { printf "Algorithm: %s\nNumber of frames: %d\nTotal memory accesses: %d\nTotal page faults: %d\nTotal writes to disk: %d\n", toupper(alg), nf, n, faults, writes + 0 }
