# Shared by the shell tests (sourced): counters, a scratch folder, and the checks.
# After sourcing: $tmp is a folder removed at exit (KEEP=1 keeps it); ok / bad WHAT
# count; expect STATUSES WHAT command... runs the command (stdout in $tmp/out, stderr in
# $tmp/err) and wants its exit status among STATUSES ("0 1"); finish NAME prints the
# tally and returns non-zero on any failure. Scripts source it relative to themselves:
# . "$(dirname "$0")/../lib.sh"
pass=0
fail=0
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

expect() {
    want=$1 what=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    case " $want " in
    *" $got "*) ok ;;
    *) bad "$what: exit $got, wanted $want"; sed 's/^/  /' "$tmp/err" | tail -2 ;;
    esac
}

finish() {
    echo "$1: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
