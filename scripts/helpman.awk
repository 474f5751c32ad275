# Turns one `vmsim VERB --help` text into man(7) lines for vmsim(1)'s VERBS section.
# The help texts' shape: "usage: ..." lines (more forms indented below), paragraphs,
# a "NAME:" line heading a list of "  --option ARG    what it does" entries (longer
# descriptions continue on lines indented past the option), "exit status: ...".
function esc(s) {
    gsub(/\\/, "\\e", s)
    gsub(/-/, "\\-", s)
    sub(/^[.']/, "\\\\\\&&", s)
    return s
}
function para() {
    if (state != "para" && state != "start") print ".PP"
    state = "para"
}
BEGIN { state = "start" }
/^usage: / || (state == "usage" && /^ +vmsim /) {
    if (state != "usage") print ".nf"
    line = $0; sub(/^usage: +/, "", line); sub(/^ +/, "", line)
    print "\\fB" esc(line) "\\fR"
    state = "usage"; next
}
state == "usage" { print ".fi"; state = "text" }
/^$/ { if (state != "start") state = "gap"; next }
/^  -/ {
    line = $0; sub(/^ +/, "", line)
    term = line; desc = ""
    if (match(line, /  +/)) { term = substr(line, 1, RSTART - 1); desc = substr(line, RSTART + RLENGTH) }
    print ".TP"
    opt = term; arg = ""
    if (match(term, / /)) { opt = substr(term, 1, RSTART - 1); arg = substr(term, RSTART + 1) }
    print "\\fB" esc(opt) "\\fR" (arg != "" ? " \\fI" esc(arg) "\\fR" : "")
    if (desc != "") print esc(desc)
    state = "item"; next
}
state == "item" && /^      +[^ ]/ { line = $0; sub(/^ +/, "", line); print esc(line); next }
/^[a-z][a-z ]*:$/ { para(); print "\\fI" esc($0) "\\fR"; print ".br"; state = "head"; next }
{
    if (state == "gap" || state == "item") para()
    line = $0; sub(/^ +/, "", line)
    print esc(line)
    if (state != "head") state = "para"; else state = "para"
}
END { if (state == "usage") print ".fi" }
