// load_go.go - bench/load.c's workload for Go's net.Dialer.
//
//	load_go [-b] [-L] [-c CONC] [-n DIALS] [-s EVERY] [-w WARMUP]
//	    [-d DELAY] -p PORT HOST...
//
// DIALS dials (default 100,000) of the HOSTs in turn, each
// net.Dialer{Timeout: 30 s, FallbackDelay: DELAY}.Dial("tcp", HOST:PORT)
// (DELAY in seconds, default 0.25 like the others; Go's own default is
// 300 ms) in a goroutine of its own, at most CONC at once
// (default 1) through a semaphore channel; with -b in bursts of CONC
// started together and all waited for.  Each connection is closed at
// once; with -L with an RST (SetLinger(0)).  Name resolution is Go's:
// the pure-Go resolver unless GODEBUG=netdns=cgo (/etc/hosts, then the
// name servers of /etc/resolv.conf, A and AAAA in parallel; concurrent
// lookups of one name share one query).
//
// Every EVERY dials (default 10,000) nothing is in flight and a line is
// printed: the rate and latencies of that stretch, the descriptors open
// and the Go heap in use after a GC (runtime.MemStats.HeapAlloc, bytes).
// The last line is the summary, in bench/load.c's format:
//
//	RESULT dials=N ok=N fail=N secs=S rate=R fds0=F fds1=F heap0=B
//	    heap1=B p50_ms=X p99_ms=X max_ms=X
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	burst  = flag.Bool("b", false, "bursts of CONC")
	rst    = flag.Bool("L", false, "close with RST")
	conc   = flag.Int("c", 1, "dials at once")
	dials  = flag.Int("n", 100000, "dials")
	every  = flag.Int("s", 10000, "sample every")
	warmup = flag.Int("w", -1, "warm-up dials")
	port   = flag.Int("p", 0, "port")
	delay  = flag.Float64("d", 0.25, "FallbackDelay, seconds")
)

type run struct {
	hosts    []string
	seq      int
	ok, fail int64
	mu       sync.Mutex
	lat      []float64
	firstErr string
	d        net.Dialer
}

func (r *run) one(host string, sem chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	defer func() { <-sem }()
	t0 := time.Now()
	c, err := r.d.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(*port)))
	ms := float64(time.Since(t0).Nanoseconds()) / 1e6
	if err != nil {
		atomic.AddInt64(&r.fail, 1)
		r.mu.Lock()
		if r.firstErr == "" {
			r.firstErr = err.Error()
		}
		r.mu.Unlock()
		return
	}
	atomic.AddInt64(&r.ok, 1)
	r.mu.Lock()
	r.lat = append(r.lat, ms)
	r.mu.Unlock()
	if *rst {
		c.(*net.TCPConn).SetLinger(0)
	}
	c.Close()
}

// stretch runs n dials; all have finished when it returns.  A goroutine
// starts as a slot of the semaphore frees: at most CONC exist at once.
func (r *run) stretch(n int) {
	sem := make(chan struct{}, *conc)
	for done := 0; done < n; {
		k := n - done
		if *burst && k > *conc {
			k = *conc
		}
		var wg sync.WaitGroup
		wg.Add(k)
		for j := 0; j < k; j++ {
			sem <- struct{}{}
			go r.one(r.hosts[r.seq%len(r.hosts)], sem, &wg)
			r.seq++
		}
		wg.Wait()
		done += k
	}
}

func countFds() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents) - 1
}

func heap() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

func pct(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	i := int(float64(len(v)) * q)
	if i >= len(v) {
		i = len(v) - 1
	}
	return v[i]
}

func main() {
	flag.Parse()
	if flag.NArg() < 1 || *port == 0 || *conc < 1 || *every < 1 {
		fmt.Fprintln(os.Stderr, "usage: load_go [-b] [-L] [-c conc] [-n dials] [-s every] [-w warmup] [-d delay] -p port host...")
		os.Exit(64)
	}
	if *warmup < 0 {
		*warmup = 1000
		if 2**conc > *warmup {
			*warmup = 2 * *conc
		}
	}
	if *every > *dials {
		*every = *dials
	}
	r := &run{hosts: flag.Args(), d: net.Dialer{Timeout: 30 * time.Second,
		FallbackDelay: time.Duration(*delay * float64(time.Second))}}
	mode := "in flight"
	if *burst {
		mode = "at once in bursts"
	}
	fmt.Printf("# go (%s, GOMAXPROCS %d, GODEBUG=%q): %d dials of %s port %d, %d %s, warm-up %d, sample every %d, FallbackDelay %v\n",
		runtime.Version(), runtime.GOMAXPROCS(0), os.Getenv("GODEBUG"),
		*dials, strings.Join(r.hosts, " "), *port, *conc, mode, *warmup, *every,
		r.d.FallbackDelay)
	for done := 0; done < *warmup; {
		k := *every
		if *warmup-done < k {
			k = *warmup - done
		}
		r.stretch(k)
		done += k
	}
	r.ok, r.fail = 0, 0
	// The bookkeeping is allocated before the baseline.
	r.lat = make([]float64, 0, *every)
	all := make([]float64, 0, *dials)
	fds0, heap0 := countFds(), heap()
	fds1, heap1 := fds0, heap0
	fmt.Printf("%9s %7s %8s %8s %8s %8s %8s %5s %10s %8s\n", "dials", "secs",
		"dials/s", "us/dial", "p50_ms", "p99_ms", "max_ms", "fds", "heap", "growth")
	fmt.Printf("%9d %7s %8s %8s %8s %8s %8s %5d %10d %+8d\n", 0, "-", "-", "-",
		"-", "-", "-", fds0, heap0, 0)
	var total float64
	for done := 0; done < *dials; {
		k := *every
		if *dials-done < k {
			k = *dials - done
		}
		r.lat = r.lat[:0]
		t0 := time.Now()
		r.stretch(k)
		secs := time.Since(t0).Seconds()
		total += secs
		done += k
		fds1, heap1 = countFds(), heap()
		lat := r.lat
		sort.Float64s(lat)
		all = append(all, lat...)
		max := 0.0
		if len(lat) > 0 {
			max = lat[len(lat)-1]
		}
		fmt.Printf("%9d %7.2f %8.0f %8.1f %8.3f %8.3f %8.3f %5d %10d %+8d\n",
			done, secs, float64(k)/secs, secs*1e6/float64(k), pct(lat, .5),
			pct(lat, .99), max, fds1, heap1, heap1-heap0)
	}
	sort.Float64s(all)
	max := 0.0
	if len(all) > 0 {
		max = all[len(all)-1]
	}
	fmt.Printf("RESULT dials=%d ok=%d fail=%d secs=%.3f rate=%.0f fds0=%d fds1=%d heap0=%d heap1=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
		r.ok+r.fail, r.ok, r.fail, total, float64(r.ok+r.fail)/total, fds0,
		fds1, heap0, heap1, pct(all, .5), pct(all, .99), max)
	if r.fail > 0 {
		fmt.Fprintf(os.Stderr, "load_go: %d dials failed; first: %s\n", r.fail, r.firstErr)
		os.Exit(1)
	}
}
