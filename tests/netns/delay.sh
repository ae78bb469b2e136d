# tests/netns/delay.sh - STUB: the delay line's part of lib.sh.
# ns_delay_start "V6DELAY_MS" "V4DELAY_MS": start hecat-delayline between
# the client's hc0 and the server's hc1 (TUN devices made by ns_up delay).
ns_delay_start() {
	echo "FAIL: the delay line is not written yet"
	exit 1
}
