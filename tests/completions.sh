#!/bin/bash
# completions.sh - the shell completions in completions/: every option
# hecat --help lists is in each of the bash, zsh and fish files (and none
# that it does not list); bash's and fish's answers to a few command
# lines; zsh's and fish's syntax.  zsh and fish are scripts/setup's
# packages; without one, its checks say so and pass nothing.
. "${srcdir:-.}/tests/cli_lib.sh"

C=$(cd "${srcdir:-.}/completions" && pwd)

# The options of --help: "-4", "--tls", ... one per line, sorted.
"$HECAT" --help > "$tmp/help" 2>&1
{
	sed -n 's/^usage: hecat \[-\([A-Za-z0-9]*\)\].*/\1/p' "$tmp/help" |
	    grep -o . | sed 's/^/-/'
	grep -oE '\[-[A-Za-z] ' "$tmp/help" | tr -d '[ '
	grep -oE '^  (-[A-Za-z0-9], )?--[a-z0-9-]+' "$tmp/help" |
	    grep -oE -- '--[a-z0-9-]+'
	grep -oE '^  -[A-Za-z0-9]( |,)' "$tmp/help" | grep -oE -- '-[A-Za-z0-9]'
} | sort -u > "$tmp/want"
check "--help lists the options (at least 50)" eval \
    '[ "$(wc -l < "$tmp/want")" -ge 50 ] && grep -qx -- --race-until "$tmp/want" && grep -qx -- -z "$tmp/want"'

# opts_SHELL: the options its completion file offers, one per line.
opts_bash() {	# the words of its opts="..." list
	sed -n '/^[[:space:]]*opts="/,/"$/p' "$C/hecat.bash" |
	    grep -oE -- '--?[A-Za-z0-9][a-z0-9-]*' | sort -u
}
opts_zsh() {
	grep -oE -- "('|\}|\{|,|\)|\*)--?[A-Za-z0-9][a-z0-9-]*" "$C/_hecat" |
	    grep -oE -- '--?[A-Za-z0-9][a-z0-9-]*' | sort -u
}
opts_fish() {
	sed -n 's/^complete -c hecat\(.*\)/\1/p' "$C/hecat.fish" |
	    grep -oE -- '-[sl] [A-Za-z0-9][a-z0-9-]*' |
	    sed -e 's/^-s /-/' -e 's/^-l /--/' | sort -u
}
for sh in bash zsh fish; do
	opts_$sh > "$tmp/$sh"
	missing=$(comm -23 "$tmp/want" "$tmp/$sh" | tr '\n' ' ')
	check "$sh: offers every option of --help" eval \
	    "[ -z '$missing' ] || { echo \"  missing: $missing\"; false; }"
	extra=$(comm -13 "$tmp/want" "$tmp/$sh" | tr '\n' ' ')
	check "$sh: offers no option --help lacks" eval \
	    "[ -z '$extra' ] || { echo \"  not in --help: $extra\"; false; }"
done

# bash: what _hecat answers.
comp() {	# comp WORD...: bash's candidates for the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
	    _hecat; [ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' \
	    _ "$C/hecat.bash" "$@" |
	    sort | tr '\n' ' '
}
check "bash: --race-until's values" eval \
    '[ "$(comp hecat --race-until "")" = "banner proxy tcp tls " ]'
check "bash: --race-until=t" eval \
    '[ "$(comp hecat --race-until=t)" = "tcp tls " ]'
check "bash: --tls-n" eval \
    '[ "$(comp hecat --tls-n)" = "--tls-name --tls-no-verify " ]'
check "bash: -X's values" eval '[ "$(comp hecat -X "")" = "4 5 connect " ]'
check "bash: the host, after an option and its value" eval \
    '[ "$(comp hecat -w 5 localhos)" = "localhost " ]'
check "bash: a port, after the host" eval \
    '[[ " $(comp hecat -zv example.com ss) " == *" ssh "* ]]'
check "bash: a value of the user's own gets no candidates" eval \
    '[ -z "$(comp hecat --attempt-delay "")" ]'
check "bash: files for --trace" eval \
    '[[ "$(cd "$C" && comp hecat --trace hecat.b)" == "hecat.bash " ]]'

# zsh: the file parses (its behaviour needs a terminal: not tested here).
if command -v zsh >/dev/null; then
	check "zsh: the file parses" zsh -n "$C/_hecat"
	check "zsh: #compdef hecat on its first line" eval \
	    '[ "$(head -n 1 "$C/_hecat")" = "#compdef hecat" ]'
else
	echo "# zsh not installed: its checks skipped"
fi

# fish: it parses, and what complete -C answers.
fc() { fish -c "source '$C/hecat.fish'; complete -C'$1'" | cut -f1 |
    sort | tr '\n' ' '; }
if command -v fish >/dev/null; then
	check "fish: the file parses" fish --no-execute "$C/hecat.fish"
	check "fish: --race-until's values" eval \
	    '[ "$(fc "hecat --race-until ")" = "banner proxy tcp tls " ]'
	check "fish: --tls-n" eval \
	    '[ "$(fc "hecat --tls-n")" = "--tls-name --tls-no-verify " ]'
	check "fish: a port, after the host" eval \
	    '[[ " $(fc "hecat example.com ss") " == *" ssh "* ]]'
else
	echo "# fish not installed: its checks skipped"
fi

finish
