# Sourced by tests/cli/run.sh (uses $lm, $tmp, check): every subcommand's
# --help exits 0 and names every option of its parser table (lmatch
# __options CMD dumps the table), the top-level help names them too, and
# every bad value, unknown option and missing value is named.
cmds=("demo" "batch" "query" "db init" "db seed-demo" "db import" "proposals" "proposal set" "placement end" "news")
pre() { [ "$1" = "proposal set" ] && echo "1 placed"; [ "$1" = "placement end" ] && echo "1"; true; } # positionals before the options
opt_table() { # CMD: the option names of its table
    # shellcheck disable=SC2086
    "$lm" __options $1 | awk '{print $1}'
}
help_names_all() {
    local c=$1 n=0
    # shellcheck disable=SC2086
    "$lm" $c --help >"$tmp/h.txt" || return 1
    "$lm" $c -h | cmp -s - "$tmp/h.txt" || return 1
    grep -q "^usage: lmatch $c" "$tmp/h.txt" && grep -q "exit status: 0 ok, 1 runtime error" "$tmp/h.txt" || return 1
    for o in $(opt_table "$c"); do
        n=$((n + 1))
        grep -qe "^  $o\b" "$tmp/h.txt" || { echo "$c --help does not list $o"; return 1; }
        grep -qe "$o\b" "$tmp/top-help.txt" || { echo "lmatch --help does not list $o of $c"; return 1; }
    done
    [ "$n" -gt 0 ]
}
"$lm" --help >"$tmp/top-help.txt"
for c in "${cmds[@]}"; do check "$c --help exits 0 and lists every option of its table" help_names_all "$c"; done
toplevel_help() {
    "$lm" --help >"$tmp/top.txt" && for w in --schema --label --as-of --max-travel --min-score --weights --policy \
        "db import" "--candidates FILE" "exit status: 0 ok"; do grep -qe "$w" "$tmp/top.txt" || { echo "no $w"; return 1; }; done
}
check "lmatch --help lists --schema, --label, --as-of, the policy options and the exit codes" toplevel_help

# expect_usage MESSAGE ARGS...: exit 2 and MESSAGE (fixed string) on stderr
expect_usage() {
    local msg=$1 rc=0; shift
    "$@" >/dev/null 2>"$tmp/e.txt" || rc=$?
    [ "$rc" -eq 2 ] || { echo "exit $rc, expected 2: $*"; cat "$tmp/e.txt"; return 1; }
    grep -qF -- "$msg" "$tmp/e.txt" || { echo "expected '$msg', got:"; cat "$tmp/e.txt"; return 1; }
}
bad_values() { # CMD: every option with a value refused with the value named
    local c=$1 name kind lo p
    # shellcheck disable=SC2046
    p=$(pre "$c")
    while read -r name kind lo _; do
        case $kind in
        int)
            # shellcheck disable=SC2086
            expect_usage "lmatch $c: $name: 'abc' is not a number" "$lm" $c $p "$name" abc || return 1
            if [ "$lo" != "-9223372036854775808" ]; then
                # shellcheck disable=SC2086
                expect_usage "lmatch $c: $name: $((lo - 1)) is out of range" "$lm" $c $p "$name" $((lo - 1)) || return 1
            fi ;;
        day)   expect_usage "lmatch $c: $name: 'zzz' is not a date" "$lm" $c $p "$name" zzz || return 1 ;;
        enum)  expect_usage "lmatch $c: $name: 'zzz' is not one of" "$lm" $c $p "$name" zzz || return 1 ;;
        custom) expect_usage "lmatch $c: $name: " "$lm" $c $p "$name" zzz || return 1
                grep -qF "zzz" "$tmp/e.txt" || { echo "$c $name: value not named"; return 1; } ;;
        esac
        if [ "$kind" != flag ]; then
            # shellcheck disable=SC2086
            expect_usage "lmatch $c: $name needs a value" "$lm" $c $p "$name" || return 1
        fi
    done < <("$lm" __options $c)
    # shellcheck disable=SC2086
    expect_usage "lmatch $c: unknown option '--foo' (lmatch $c --help lists the options)" "$lm" $c $p --foo
}
for c in "${cmds[@]}"; do check "$c names every bad value, missing value and unknown option" bad_values "$c"; done
query_abc() { expect_usage "lmatch query: --vacancy: 'abc' is not a number" "$lm" query --vacancy abc --viewer 1; }
check "query --vacancy abc names abc" query_abc
k_range() { expect_usage "lmatch batch: --k: 0 is out of range 1..10000" "$lm" batch --k 0; }
check "batch --k 0 names the range" k_range
proposal_args() {
    expect_usage "lmatch proposal set: PROPOSAL_ID: 'x' is not a proposal id" "$lm" proposal set x placed --by 1 &&
        expect_usage "lmatch proposal set: STATUS: unknown status 'hired'" "$lm" proposal set 1 hired --by 1 &&
        expect_usage "lmatch proposal set: give --by ORG" "$lm" proposal set 1 placed
}
check "proposal set names a bad id, status or missing --by" proposal_args
equals_form() { expect_usage "lmatch demo: --k: 0 is out of range 1..10000" "$lm" demo --k=0; }
check "--opt=value is parsed like --opt value" equals_form
docs_name_all() {
    for c in "${cmds[@]}"; do
        grep -q "^### \`lmatch $c\`" docs/cli.md || { echo "docs/cli.md has no section for $c"; return 1; }
        for o in $(opt_table "$c"); do grep -qe "$o\b" docs/cli.md || { echo "docs/cli.md lacks $o of $c"; return 1; }; done
    done
}
check "docs/cli.md has every command and option" docs_name_all
group_help() {
    "$lm" db --help | grep -q "lmatch db import" && "$lm" proposal --help | grep -q "proposal set" &&
        expect_usage "lmatch db: unknown subcommand 'frob'" "$lm" db frob && expect_usage "lmatch proposal: expected 'set'" "$lm" proposal frob
}
check "db and proposal: --help exits 0, an unknown subcommand is a usage error" group_help
no_args() { expect_usage "usage: lmatch COMMAND" "$lm"; }
check "lmatch without a command is a usage error" no_args
