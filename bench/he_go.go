// he_go.go - Go's net.Dialer, for bench/connect.sh.
//
//	he_go HOST PORT [TIMEOUT_S]
//
// net.Dialer{Timeout: TIMEOUT_S} (default 5 s; 0: none, Go's default),
// FallbackDelay left at
// its default (300 ms), Dial("tcp", HOST:PORT).  Go resolves A and AAAA
// first (the pure-Go resolver, reading /etc/resolv.conf, unless the
// build or GODEBUG picks cgo), sorts them by RFC 6724, then races the
// first family against the other started 300 ms later.  Prints one line,
//
//	connect_ms=12.345 addr=2001:db8:2::10 family=inet6
//
// timed around Dial alone (the runtime's start-up is not in it); on
// failure "connect_ms=... error=..." and exit status 1.
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: he_go HOST PORT [TIMEOUT_S]")
		os.Exit(64)
	}
	timeout := 5.0
	if len(os.Args) > 3 {
		t, err := strconv.ParseFloat(os.Args[3], 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "he_go: bad timeout")
			os.Exit(64)
		}
		timeout = t
	}
	d := net.Dialer{Timeout: time.Duration(timeout * float64(time.Second))}
	t0 := time.Now()
	c, err := d.Dial("tcp", net.JoinHostPort(os.Args[1], os.Args[2]))
	ms := float64(time.Since(t0).Microseconds()) / 1000
	if err != nil {
		fmt.Printf("connect_ms=%.3f error=%v\n", ms, err)
		os.Exit(1)
	}
	a := c.RemoteAddr().(*net.TCPAddr)
	fam := "inet"
	if a.IP.To4() == nil {
		fam = "inet6"
	}
	fmt.Printf("connect_ms=%.3f addr=%s family=%s\n", ms, a.IP, fam)
	c.Close()
}
