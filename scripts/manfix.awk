# Tidies lowdown's man(7) output so that `mandoc -Tlint` and `man --warnings` have
# nothing to say: our own .TH line, bold for code (\fC is not a man font), no paragraph
# macro straight after a heading, "NAME \- summary", roff names for
# the non-ASCII characters docs/ use, text lines
# folded under 80 bytes (run it with LC_ALL=C, so that length() counts bytes).
# Variables: title, section, version, date.
function fold(s,    out, cut) {
    while (length(s) > 76) {
        cut = 76
        while (cut > 1 && substr(s, cut, 1) != " ") cut--
        if (cut <= 1) break
        out = substr(s, 1, cut - 1)
        sub(/ +$/, "", out)
        print out
        s = substr(s, cut + 1)
        sub(/^ +/, "", s)           # a line starting with a space breaks the filling
        if (s ~ /^[.']/) s = "\\&" s
    }
    print s
}
{
    gsub(/\\fC/, "\\fB")
    gsub(/—/, "\\(em"); gsub(/–/, "\\(en"); gsub(/…/, "..."); gsub(/×/, "\\(mu")
    gsub(/→/, "\\(->"); gsub(/←/, "\\(<-"); gsub(/≤/, "\\(<="); gsub(/≥/, "\\(>=")
}
/^\.TH / {
    printf ".TH %s %s %s \"vmsim %s\" \"vmsim Manual\"\n", title, section, date, version
    print ".ad l"                   # ragged right: narrow table cells cannot be justified
    next
}
/^\.(SH|SS)$/ { print; heading = 2; next }
heading == 2 { print; heading = 1; if ($0 == "NAME") inname = 1; next }
heading == 1 && /^\.(LP|PP)$/ { heading = 0; next }
{ heading = 0 }
/^\.SH/ { inname = 0 }
/^\.(EX|nf)$/ { verbatim = 1 }
/^\.(EE|fi)$/ { verbatim = 0 }
/^\.TS$/ { tblspec = 1 }
tblspec { print; if (/\.$/) tblspec = 0; next }
{
    if (inname && !/^\./) sub(/ - /, " \\- ")
    if (verbatim || /^[.']/) print; else fold($0)
}
