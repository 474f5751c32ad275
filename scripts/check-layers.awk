# check-layers.awk: the rules of scripts/check-layers.sh (read its comment), over
# `nm -A -P -g` of the build's objects on standard input ("-"), then the core objects'
# .d files. Variables: build and root, the build dir and the source root, each ending
# in "/" (paths are printed from the source root).
# norm(PATH): PATH without "." and "dir/.." steps (a core file may reach out with
# "../ui/ui.h", which the compiler writes as sim/core/../ui/ui.h).
function norm(p,    n, part, i, k, st, out) {
    n = split(p, part, "/"); k = 0
    for (i = 1; i <= n; i++) {
        if (part[i] == "." || (part[i] == "" && i > 1)) continue
        if (part[i] == ".." && k > 0 && st[k] != ".." && st[k] != "") { k--; continue }
        st[++k] = part[i]
    }
    out = st[1]
    for (i = 2; i <= k; i++) out = out "/" st[i]
    return out
}
# rel(PATH): PATH from the source root (objects named as their source .c).
function rel(p) {
    p = norm(p)
    if (index(p, build) == 1) p = substr(p, length(build) + 1)
    else if (index(p, root) == 1) p = substr(p, length(root) + 1)
    sub(/\.o$/, ".c", p)
    return p
}
# layer(PATH): hw, os or top inside the core ("core" for another folder of it), the
# folder outside it.
function layer(p,    n, part) {
    if (p ~ /^sim\/core\/hw\//) return "hw"
    if (p ~ /^sim\/core\/os\//) return "os"
    if (p ~ /^sim\/core\/[^\/]*$/) return "top"
    if (p ~ /^sim\/core\//) return "core"
    n = split(p, part, "/")
    if (n <= 1) return p
    return (part[1] == "sim" && n > 2) ? part[1] "/" part[2] : part[1]
}
function incore(l) { return l == "hw" || l == "os" || l == "top" || l == "core" }
function bad(msg) { print msg; nbad++ }
# forbidden(FROM, TO): why a file of layer FROM may not use one of layer TO, or "".
function forbidden(from, to) {
    if (!incore(to)) return "the core uses nothing outside sim/core"
    if (from == "hw" && (to == "os" || to == "top")) return "hw/ calls nothing above it"
    if (from == "os" && to == "top") return "os/ does not call the top of sim/core"
    return ""
}
# Input: nm -A -P lines, "OBJECT: SYMBOL TYPE [VALUE SIZE]".
FILENAME == "-" {
    f = rel(substr($1, 1, length($1) - 1))
    files[f] = 1
    if ($3 == "U" || $3 == "w" || $3 == "v") {
        nuse++; usef[nuse] = f; uses[nuse] = $2
    } else if (!($2 in def) || (!incore(layer(def[$2])) && incore(layer(f)))) {
        def[$2] = f
    }
    next
}
# Then the .d files: their first rule, "OBJECT: SOURCE HEADER...", over the lines that
# end in a backslash (each named by its file: the compiler writes the object as given).
FNR == 1 { obj = FILENAME; sub(/\.d$/, ".o", obj); obj = rel(obj); target = 1; done = 0 }
done { next }
{
    line = $0
    cont = sub(/\\$/, "", line)
    n = split(line, w, " ")
    for (i = 1; i <= n; i++) {
        if (target) { target = (w[i] !~ /:$/); continue }
        ninc++; incf[ninc] = obj; inch[ninc] = rel(w[i])
    }
    if (!cont) done = 1
}
END {
    check_uses()
    check_includes()
    check_system_includes()
    find_cycles()
    if (nbad) { printf "check-layers: %d violation%s\n", nbad, (nbad > 1 ? "s" : ""); exit 1 }
    n = 0; for (f in files) if (incore(layer(f))) n++
    ne = 0; for (k in edge) ne++
    printf "check-layers: ok: %d core files, %d uses between them, one way, no cycle\n", n, ne
}
# check_uses: one line per pair of files whose use breaks the layers; the edges between
# core files (edge[A, B]) and the symbols behind each (syms[A, B]) for find_cycles.
function check_uses(    i, a, b, s, k, npair, pa, pb, why) {
    for (i = 1; i <= nuse; i++) {
        a = usef[i]; s = uses[i]
        if (!incore(layer(a))) continue
        if (s ~ /^(SDL_|TTF_|IMG_|rl_)/ || s == "readline" || s == "add_history") {
            bad(a ": uses " s " (SDL or readline): the core is built without them")
            continue
        }
        if (!(s in def) || def[s] == a) continue
        b = def[s]; k = a SUBSEP b
        if (!(k in syms)) { npair++; pa[npair] = a; pb[npair] = b; syms[k] = s }
        else syms[k] = syms[k] ", " s
        if (incore(layer(b))) edge[k] = 1
    }
    for (i = 1; i <= npair; i++) {
        a = pa[i]; b = pb[i]; why = forbidden(layer(a), layer(b))
        if (why != "") bad(a ": uses " syms[a, b] " of " b " (" layer(b) "): " why)
    }
}
# check_includes: the headers the .d files name: private ones of the layers above, those of
# other folders of sim/.
function check_includes(    i, a, h, lh) {
    for (i = 1; i <= ninc; i++) {
        a = incf[i]; h = inch[i]; lh = layer(h)
        if (h ~ /^sim\// && !incore(lh))
            bad(a ": includes " h " (" lh "): the core includes nothing outside sim/core")
        else if (layer(a) == "hw" && (lh == "os" || lh == "top"))
            bad(a ": includes " h ", a private header of " lh ": hw/ includes none above it")
    }
}
# check_system_includes: SDL and readline, whose headers -MMD leaves out of the .d as
# system headers: the #include lines of the files in the tree that each .d names.
function check_system_includes(    i, h, line) {
    for (i = 1; i <= ninc; i++) {
        h = inch[i]
        if (h ~ /^\//) continue
        if (!(h in sysinc)) {
            sysinc[h] = ""
            while ((getline line < h) > 0)
                if (line ~ /^[ \t]*#[ \t]*include[ \t]*[<"](SDL|readline\/)/) {
                    sub(/^[ \t]*#[ \t]*include[ \t]*/, "", line)
                    match(line, /^[<"][^>"]*[>"]/)
                    sysinc[h] = substr(line, 1, RLENGTH)
                }
            close(h)
        }
        if (sysinc[h] != "")
            bad(incf[i] ": includes " sysinc[h] (h == incf[i] ? "" : " through " h) \
                " (SDL or readline): the core is built without them")
    }
}
# find_cycles: the closure of the edges (Warshall), then per knot (files that reach
# each other) the shortest cycle through its first file, and the uses inside it.
function find_cycles(    n, i, j, k, v, a, b, m, q, qh, qt, last, prev, path, seen, members, knot) {
    n = 0
    for (f in files) if (incore(layer(f))) node[++n] = f
    # sort the nodes: the output does not depend on the order of awk arrays
    for (i = 2; i <= n; i++) {
        v = node[i]
        for (j = i - 1; j >= 1 && node[j] > v; j--) node[j + 1] = node[j]
        node[j + 1] = v
    }
    for (i = 1; i <= n; i++) for (j = 1; j <= n; j++) r[i, j] = ((node[i], node[j]) in edge)
    for (k = 1; k <= n; k++) for (i = 1; i <= n; i++) if (r[i, k])
        for (j = 1; j <= n; j++) if (r[k, j]) r[i, j] = 1
    for (i = 1; i <= n; i++) {
        if (seen[i] || !r[i, i]) continue
        members = ""; m = 0
        for (j = 1; j <= n; j++) if (r[i, j] && r[j, i]) {
            seen[j] = 1; knot[j] = 1; m++; members = members " " node[j]
        }
        # breadth-first from node i back to itself, inside the knot
        delete prev; qh = 1; qt = 0; q[++qt] = i; last = 0
        while (qh <= qt && !last) {
            a = q[qh++]
            for (b = 1; b <= n; b++) if (knot[b] && ((node[a], node[b]) in edge)) {
                if (b == i) { last = a; break }
                if (!(b in prev)) { prev[b] = a; q[++qt] = b }
            }
        }
        path = node[i]; v = last
        while (v != i) { path = node[v] " -> " path; v = prev[v] }
        bad("cycle: " node[i] " -> " path " (" m " files tied:" members ")")
        for (a = 1; a <= n; a++) for (b = 1; b <= n; b++)
            if (knot[a] && knot[b] && ((node[a], node[b]) in edge))
                print "  " node[a] " -> " node[b] ": " syms[node[a], node[b]]
        for (j = 1; j <= n; j++) knot[j] = 0
    }
}
