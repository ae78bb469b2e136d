#!/bin/bash
# integrity.sh - the relay keeps every byte: RUNS runs of 64 MiB of fresh
# random data up and down at once through cmd/hecat and an echo server
# (tests/hecat-listen -m echo) over loopback, sha256 compared each time.
#
# The runs take turns over eight ways of plugging stdin and stdout, so
# that both copy paths and backpressure from either side get their share:
#
#   pipes        cat | hecat | sha256sum        splice both ways
#   files        hecat < file > file            read/write both ways
#   slow-reader  ... | hecat | hecat-pace       a consumer reading 1 B to
#                                               4 KiB at a time, at most
#                                               150 MB/s, 20 ms pauses
#                                               every ~4 MB
#   sockets      hecat-pace -s hecat            stdin and stdout are
#                                               AF_UNIX sockets (copy, non-
#                                               blocking), slow reader
#   slow-writer  hecat-pace | hecat | ...       a producer writing 1 B to
#                                               1500 B at a time, the same
#   file-pipe    hecat < file | sha256sum       copy up, splice down
#   pipe-file    cat | hecat > file             splice up, copy down
#   slow-both    hecat-pace | hecat | hecat-pace
#
# and over the two families (127.0.0.1 and ::1, where it exists).  The
# relay path hecat reports (-vv: "relay up=... down=...") is checked too.
#
# RUNS: HECAT_INTEGRITY_RUNS, or 100 with HECAT_LONG_TESTS=1, else 5 (the
# first five ways: pipes, files, slow-reader, sockets, slow-writer).  Every hecat run is bounded by timeout(1); the servers
# are killed by PID at exit.  Prints the total time and throughput.
. "${srcdir:-.}/tests/cli_lib.sh"

PACE=${PACE:-tests/hecat-pace}
if [ -n "${HECAT_INTEGRITY_RUNS:-}" ]; then
	RUNS=$HECAT_INTEGRITY_RUNS
elif [ "${HECAT_LONG_TESTS:-0}" = 1 ]; then
	RUNS=100
else
	RUNS=5
fi
SIZE_MIB=${HECAT_INTEGRITY_MIB:-64}

start_server ECHO tests/hecat-listen -m echo -t 7200
addrs=(127.0.0.1)
have_ipv6 && addrs+=(::1)
# The first five cover splice, copy, sockets and a slow end each way.
ways=(pipes files slow-reader sockets slow-writer file-pipe pipe-file
    slow-both)
slow_r=(-c 4096 -r 150 -P 20 -e 4000)
slow_w=(-c 1500 -r 150 -P 20 -e 4000)

total_us=0
bytes=0
declare -A n_way ok_way us_way

# one I ADDR WAY: run I; sets rc (hecat's), got (sha256 of what came back)
# and path (hecat's "relay up=... down=..." line).
one() {
	local i=$1 a=$2 way=$3 st
	local H=(timeout -s KILL 120 cmd/hecat -vv -n "$a" "$ECHO")
	rm -f "$tmp/out.bin"
	got=""
	case $way in
	pipes)
		cat "$tmp/blob" | "${H[@]}" 2> "$tmp/err" | sha256sum > "$tmp/sum"
		st=("${PIPESTATUS[@]}"); rc=${st[1]} ;;
	files)
		"${H[@]}" < "$tmp/blob" > "$tmp/out.bin" 2> "$tmp/err"
		rc=$?
		sha256sum < "$tmp/out.bin" > "$tmp/sum" ;;
	file-pipe)
		"${H[@]}" < "$tmp/blob" 2> "$tmp/err" | sha256sum > "$tmp/sum"
		st=("${PIPESTATUS[@]}"); rc=${st[0]} ;;
	pipe-file)
		cat "$tmp/blob" | "${H[@]}" > "$tmp/out.bin" 2> "$tmp/err"
		st=("${PIPESTATUS[@]}"); rc=${st[1]}
		sha256sum < "$tmp/out.bin" > "$tmp/sum" ;;
	slow-reader)
		cat "$tmp/blob" | "${H[@]}" 2> "$tmp/err" |
		    "$PACE" "${slow_r[@]}" -S "$i" | sha256sum > "$tmp/sum"
		st=("${PIPESTATUS[@]}"); rc=${st[1]} ;;
	slow-writer)
		"$PACE" "${slow_w[@]}" -S "$i" < "$tmp/blob" |
		    "${H[@]}" 2> "$tmp/err" | sha256sum > "$tmp/sum"
		st=("${PIPESTATUS[@]}"); rc=${st[1]} ;;
	sockets)
		"$PACE" -s "${slow_r[@]}" -S "$i" "${H[@]}" < "$tmp/blob" \
		    2> "$tmp/err" | sha256sum > "$tmp/sum"
		st=("${PIPESTATUS[@]}"); rc=${st[0]} ;;
	slow-both)
		"$PACE" "${slow_w[@]}" -S "$i" < "$tmp/blob" |
		    "${H[@]}" 2> "$tmp/err" |
		    "$PACE" "${slow_r[@]}" -S "$((i + 1000))" |
		    sha256sum > "$tmp/sum"
		st=("${PIPESTATUS[@]}"); rc=${st[1]} ;;
	esac
	got=$(cut -d' ' -f1 < "$tmp/sum")
	path=$(grep -o 'relay up=[a-z]* down=[a-z]*' "$tmp/err" | head -n 1)
}

# The relay path each way must take.
want_path() {
	case $1 in
	pipes|slow-reader|slow-writer|slow-both)
		echo "relay up=splice down=splice" ;;
	files|sockets) echo "relay up=copy down=copy" ;;
	file-pipe) echo "relay up=copy down=splice" ;;
	pipe-file) echo "relay up=splice down=copy" ;;
	esac
}

for ((i = 0; i < RUNS; i++)); do
	way=${ways[i % ${#ways[@]}]}
	a=${addrs[(i / ${#ways[@]}) % ${#addrs[@]}]}
	# Fresh data every run.
	head -c "${SIZE_MIB}M" /dev/urandom > "$tmp/blob"
	want=$(sha256sum < "$tmp/blob" | cut -d' ' -f1)
	t0=${EPOCHREALTIME/./}
	one "$i" "$a" "$way"
	t1=${EPOCHREALTIME/./}
	us=$((t1 - t0))
	total_us=$((total_us + us))
	bytes=$((bytes + 2 * SIZE_MIB * 1048576))
	n_way[$way]=$(( ${n_way[$way]:-0} + 1 ))
	us_way[$way]=$(( ${us_way[$way]:-0} + us ))
	printf -v label 'run %d/%d %-11s %-9s %5d ms' "$((i + 1))" "$RUNS" \
	    "$way" "$a" "$((us / 1000))"
	if [ "$rc" -eq 0 ] && [ "$got" = "$want" ] &&
	    [ "$path" = "$(want_path "$way")" ]; then
		ok_way[$way]=$(( ${ok_way[$way]:-0} + 1 ))
		pass "$label: sha256 equal, $path"
	else
		fail "$label" "exit $rc, sha256 $got want $want, '$path' want" \
		    "'$(want_path "$way")'"
	fi
done

echo "# integrity: $RUNS runs of $SIZE_MIB MiB each way," \
    "$(( bytes / 1048576 )) MiB moved in $(( total_us / 1000 )) ms:" \
    "$(( bytes / (total_us + 1) )) MB/s (both directions together)"
echo "# way          runs  match  mean ms  MB/s (up+down)"
for way in "${ways[@]}"; do
	n=${n_way[$way]:-0}
	[ "$n" -gt 0 ] || continue
	printf '# %-12s %4d  %5d  %7d  %6d\n' "$way" "$n" \
	    "${ok_way[$way]:-0}" "$(( us_way[$way] / n / 1000 ))" \
	    "$(( n * 2 * SIZE_MIB * 1048576 / (us_way[$way] + 1) ))"
done
finish
