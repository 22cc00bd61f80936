// fakeproxy: a fault-injecting GOPROXY server for the piraeus tests.
//
// It serves a GOPROXY tree (a Go module cache's cache/download directory,
// <escaped module>/@v/{list,<v>.info,<v>.mod,<v>.zip}) on 127.0.0.1 and can
// be told, through control endpoints under /_ctl/, to answer some requests
// badly: error statuses, delays, hangs, connections reset or closed in the
// middle of a body, corrupted or swapped bytes, redirects, huge bodies.  It
// counts the requests of every path so that a test can check how often
// piraeus went upstream.  Only the standard library; Go 1.19 builds it with
//
//	GO111MODULE=off go build -o fakeproxy fakeproxy.go
//
// Flags: -root DIR (the tree), -addr HOST:PORT (default 127.0.0.1:0; the
// first line on stdout is "listening on http://HOST:PORT"), -log FILE (one
// line per request: "METHOD PATH STATUS [FAULT] [auth=AUTHORIZATION]",
// status 000 when nothing was sent because the client went away; the
// Authorization header as sent, when there is one).
//
// Control endpoints (GET, or POST for fault):
//
//	/_ctl/count?path=P	number of requests for P (exact path, "*" for
//				all, "*SUFFIX" for every path ending in SUFFIX)
//	/_ctl/counts		"N PATH" for every path requested
//	/_ctl/reset		counters, faults and the request log cleared
//	/_ctl/log		the request log since the last reset
//	/_ctl/fault?path=P&kind=K[&n=N][&ms=M][&code=C][&body=B][&to=URL]
//	    [&with=PATH][&size=S][&chunked=1]
//				requests matching P (exact, or "*SUFFIX") get
//				fault K, the next N of them only (default: until
//				reset); a new fault for the same P replaces the
//				old one; the newest matching fault wins.
//
// Fault kinds:
//
//	status500, status404	that status with a text body
//	status			status C (default 500), body B if given
//	slowstatus		wait M ms (default 1000), then status C
//				(default 500) as "status" does
//	delay			wait M ms (default 1000) then answer normally;
//				a client that leaves ends the wait
//	hang			never answer; ends when the client goes
//	reset			headers (full Content-Length) and half the body,
//				then the connection is reset (RST)
//	truncate		headers (full Content-Length) and half the body,
//				then the connection is closed (FIN)
//	stall			headers and half the body, then nothing until
//				the client goes
//	drop			the connection is reset before any byte is sent
//	corrupt			the full body with its middle byte inverted
//	swapzip (or swap)	the bytes of the file at request path PATH
//				(e.g. another version's zip) instead
//	redirect		status C (default 302) to Location URL
//	big			S bytes (default 1 MiB) of "x", status 200, with
//				Content-Length unless chunked=1
//	endless			status 200, chunked, "x" without end (until the
//				client goes)
//	trickle			status 200, chunked, one byte of "x" every M ms
//				(default 100) until the client goes
//	none			removes the fault of P
//	paced			the normal answer (with Content-Length), its
//				body in 16 pieces spread over M ms (default
//				1000): a slow upstream above any speed limit
//
// -synth HOST: modules under HOST/ (e.g. -synth synth.example) are made
// on demand, any number of them: every version vX.Y.Z (X 0 or 1) of
// HOST/<name> exists, with a one-file zip, a go.mod and a .info; @v/list
// is v1.0.0 and v1.0.1, @latest v1.0.1.  The rest of the tree is
// served as without it.  (synthModule and what follows.)
package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A fault injected into the answers to the requests matching pattern.
type fault struct {
	pattern string
	kind    string
	left    int // requests still to fault; -1: until reset
	ms      int
	code    int
	body    string
	to      string
	with    string
	size    int64
	chunked bool
}

// The server state; mu guards everything below it.
type server struct {
	root    string
	logfile *os.File
	latency time.Duration // before every answer (a network's round trip)
	synth   string        // -synth HOST: modules made on demand

	mu     sync.Mutex
	counts map[string]int
	total  int
	faults []*fault // newest last
	reqlog []string
}

// The fault kinds /_ctl/fault accepts.
var kinds = map[string]bool{
	"status500":  true,
	"status404":  true,
	"status":     true,
	"slowstatus": true,
	"delay":      true,
	"hang":       true,
	"reset":      true,
	"truncate":   true,
	"stall":      true,
	"drop":       true,
	"corrupt":    true,
	"swapzip":    true,
	"swap":       true,
	"redirect":   true,
	"big":        true,
	"endless":    true,
	"trickle":    true,
	"none":       true,
	"paced":      true,
}

// Content types by the end of the request path.
var ctypes = []struct {
	suffix string
	ctype  string
}{
	{".info", "application/json"},
	{".mod", "text/plain; charset=utf-8"},
	{".zip", "application/zip"},
	{"/@v/list", "text/plain; charset=utf-8"},
	{"/@latest", "application/json"},
}

// What golang.org/x/mod/module calls a pseudo-version (with at least two
// dashes).
var pseudoRE = regexp.MustCompile(`^v[0-9]+\.(0\.0-|[0-9]+\.[0-9]+-([^+]*\.)?0\.)[0-9]{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)

func isPseudo(v string) bool {
	return strings.Count(v, "-") >= 2 && pseudoRE.MatchString(v)
}

// unescape undoes the "!" case-encoding of module paths and versions.
func unescape(s string) string {
	var b strings.Builder
	bang := false
	for _, c := range s {
		if bang {
			bang = false
			if c >= 'a' && c <= 'z' {
				b.WriteRune(c - 'a' + 'A')
				continue
			}
			b.WriteRune('!')
		}
		if c == '!' {
			bang = true
			continue
		}
		b.WriteRune(c)
	}
	if bang {
		b.WriteRune('!')
	}
	return b.String()
}

func contentType(p string) string {
	for _, t := range ctypes {
		if strings.HasSuffix(p, t.suffix) {
			return t.ctype
		}
	}
	return "application/octet-stream"
}

// notFound is the first line of a 404 body, in the style of the GOPROXY
// protocol ("not found: module@version: reason").
func notFound(p string) string {
	if i := strings.Index(p, "/@v/"); i > 0 {
		mod := unescape(p[1:i])
		file := p[i+len("/@v/"):]
		if file == "list" {
			return "not found: " + mod + ": no such module in the fixture tree"
		}
		for _, ext := range []string{".info", ".mod", ".zip"} {
			if strings.HasSuffix(file, ext) {
				v := unescape(strings.TrimSuffix(file, ext))
				return "not found: " + mod + "@" + v +
					": not in the fixture tree"
			}
		}
	}
	if strings.HasSuffix(p, "/@latest") && len(p) > len("/@latest") {
		mod := unescape(strings.TrimSuffix(p[1:], "/@latest"))
		return "not found: " + mod + "@latest: no @latest in the fixture tree"
	}
	return "not found: " + p
}

// cleanPath reports whether request path p names something under the root
// without "." or ".." segments, empty segments or NUL bytes.
func cleanPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.ContainsRune(p, 0) {
		return false
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// list is the @v/list of directory dir: its list file without
// pseudo-versions, or else the versions of its .info files.
func list(dir string) ([]byte, bool) {
	var vs []string
	if b, err := os.ReadFile(filepath.Join(dir, "list")); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) == 0 || isPseudo(f[0]) {
				continue
			}
			vs = append(vs, f[0])
		}
	} else {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return nil, false
		}
		for _, e := range ents {
			n := e.Name()
			if e.IsDir() || !strings.HasSuffix(n, ".info") {
				continue
			}
			v := unescape(strings.TrimSuffix(n, ".info"))
			if !isPseudo(v) {
				vs = append(vs, v)
			}
		}
		sort.Strings(vs)
	}
	var b strings.Builder
	for _, v := range vs {
		b.WriteString(v)
		b.WriteString("\n")
	}
	return []byte(b.String()), true
}

// resolve finds the normal answer for request path p: its bytes, or false.
func (s *server) resolve(p string) ([]byte, bool) {
	if !cleanPath(p) {
		return nil, false
	}
	if b, ok := s.synthAnswer(p); ok {
		return b, true
	}
	if strings.HasSuffix(p, "/@v/list") {
		return list(filepath.Join(s.root, filepath.FromSlash(
			strings.TrimSuffix(p, "/list"))))
	}
	fn := filepath.Join(s.root, filepath.FromSlash(p))
	st, err := os.Stat(fn)
	if err != nil || !st.Mode().IsRegular() {
		return nil, false
	}
	b, err := os.ReadFile(fn)
	if err != nil {
		return nil, false
	}
	return b, true
}

func matches(pattern, p string) bool {
	if strings.HasPrefix(pattern, "*") {
		return strings.HasSuffix(p, pattern[1:])
	}
	return pattern == p
}

// arrive counts a request for p and takes the fault to apply, if any.
func (s *server) arrive(p string) *fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[p]++
	s.total++
	for i := len(s.faults) - 1; i >= 0; i-- {
		f := s.faults[i]
		if !matches(f.pattern, p) {
			continue
		}
		if f.left > 0 {
			f.left--
			if f.left == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		c := *f
		return &c
	}
	return nil
}

func (s *server) logLine(line string, keep bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if keep {
		s.reqlog = append(s.reqlog, line)
	}
	if s.logfile != nil {
		fmt.Fprintln(s.logfile, line)
	}
}

func textAnswer(w http.ResponseWriter, code int, body string) int {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	io.WriteString(w, body)
	return code
}

// rawStart takes the connection over and writes a status line and headers
// announcing length bytes of body.
func rawStart(w http.ResponseWriter, code int, ctype string,
	length int) (net.Conn, error) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return nil, fmt.Errorf("cannot hijack")
	}
	conn, bufrw, err := hj.Hijack()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(bufrw, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"+
		"Content-Length: %d\r\nDate: %s\r\n\r\n", code,
		http.StatusText(code), ctype, length,
		time.Now().UTC().Format(http.TimeFormat))
	if err := bufrw.Flush(); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// resetConn closes conn with a TCP reset rather than a FIN.
func resetConn(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// brokenBody answers with code and the first half of body (all of the
// headers), then breaks the connection the way kind says.
func brokenBody(w http.ResponseWriter, r *http.Request, kind string,
	code int, ctype string, body []byte) int {
	conn, err := rawStart(w, code, ctype, len(body))
	if err != nil {
		return 0
	}
	if r.Method != http.MethodHead {
		conn.Write(body[:len(body)/2])
	}
	switch kind {
	case "reset":
		// Let the bytes leave before the reset discards the queue.
		time.Sleep(100 * time.Millisecond)
		resetConn(conn)
	case "truncate":
		conn.Close()
	case "stall":
		io.Copy(io.Discard, conn)
		conn.Close()
	}
	return code
}

func (s *server) bigBody(w http.ResponseWriter, r *http.Request,
	f *fault) int {
	size := f.size
	if size <= 0 {
		size = 1 << 20
	}
	w.Header().Set("Content-Type", contentType(r.URL.Path))
	if !f.chunked {
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return http.StatusOK
	}
	chunk := []byte(strings.Repeat("x", 32*1024))
	for size > 0 {
		n := int64(len(chunk))
		if n > size {
			n = size
		}
		if _, err := w.Write(chunk[:n]); err != nil {
			break
		}
		size -= n
	}
	return http.StatusOK
}

// endlessBody answers 200 with a chunked body of "x" that never ends: as
// fast as the client reads (endless), or one byte every f.ms (trickle);
// it returns when the client goes.
func (s *server) endlessBody(w http.ResponseWriter, r *http.Request,
	f *fault) int {
	w.Header().Set("Content-Type", contentType(r.URL.Path))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return http.StatusOK
	}
	fl, _ := w.(http.Flusher)
	chunk := []byte(strings.Repeat("x", 32*1024))
	if f.kind == "trickle" {
		chunk = chunk[:1]
	}
	for {
		if _, err := w.Write(chunk); err != nil {
			return http.StatusOK
		}
		if f.kind != "trickle" {
			continue
		}
		if fl != nil {
			fl.Flush()
		}
		t := time.NewTimer(time.Duration(f.ms) * time.Millisecond)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return http.StatusOK
		}
	}
}

// answer writes the answer to r, with fault f if not nil; it returns the
// status sent (0 if none) and the note for the log.
func (s *server) answer(w http.ResponseWriter, r *http.Request,
	f *fault) (int, string) {
	p := r.URL.Path
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		return textAnswer(w, http.StatusMethodNotAllowed,
			"method not allowed\n"), ""
	}
	note := ""
	if f != nil {
		note = f.kind
		switch f.kind {
		case "status500":
			return textAnswer(w, 500, "injected fault: status 500\n"),
				note
		case "status404":
			return textAnswer(w, 404, notFound(p)+
				" (injected fault)\n"), note
		case "slowstatus":
			t := time.NewTimer(time.Duration(f.ms) *
				time.Millisecond)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return 0, note
			}
			return textAnswer(w, f.code, fmt.Sprintf(
				"injected fault: status %d\n", f.code)), note
		case "status":
			body := f.body
			if body == "" {
				body = fmt.Sprintf("injected fault: status %d\n",
					f.code)
			}
			return textAnswer(w, f.code, body), note
		case "redirect":
			w.Header().Set("Location", f.to)
			return textAnswer(w, f.code, "redirect to "+f.to+"\n"),
				note
		case "hang":
			<-r.Context().Done()
			return 0, note
		case "drop":
			hj, ok := w.(http.Hijacker)
			if !ok {
				return 0, note
			}
			if conn, _, err := hj.Hijack(); err == nil {
				resetConn(conn)
			}
			return 0, note
		case "big":
			return s.bigBody(w, r, f), note
		case "endless", "trickle":
			return s.endlessBody(w, r, f), note
		case "delay":
			t := time.NewTimer(time.Duration(f.ms) *
				time.Millisecond)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return 0, note
			}
		}
	}
	body, found := s.resolve(p)
	if !found {
		return textAnswer(w, http.StatusNotFound, notFound(p)+"\n"), note
	}
	code := http.StatusOK
	ctype := contentType(p)
	if f != nil {
		switch f.kind {
		case "reset", "truncate", "stall":
			return brokenBody(w, r, f.kind, code, ctype, body), note
		case "corrupt":
			c := make([]byte, len(body))
			copy(c, body)
			if len(c) == 0 {
				c = []byte("x")
			} else {
				c[len(c)/2] ^= 0xff
			}
			body = c
		case "swapzip", "swap":
			other, ok := s.resolve(f.with)
			if !ok {
				return textAnswer(w, 500, "injected fault: swap "+
					"source "+f.with+" not found\n"), note
			}
			body = other
		}
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		if f != nil && f.kind == "paced" {
			return pacedBody(w, r, f, body), note
		}
		w.Write(body)
	}
	return code, note
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if strings.HasPrefix(p, "/_ctl/") {
		code := s.control(w, r)
		s.logLine(fmt.Sprintf("%s %s?%s %03d", r.Method, p,
			r.URL.RawQuery, code), false)
		return
	}
	f := s.arrive(p)
	time.Sleep(s.latency)
	code, note := s.answer(w, r, f)
	line := fmt.Sprintf("%s %s %03d", r.Method, p, code)
	if note != "" {
		line += " " + note
	}
	if a := r.Header.Get("Authorization"); a != "" {
		line += " auth=" + a
	}
	s.logLine(line, true)
}

// newFault makes the fault a /_ctl/fault query asks for.
func newFault(q map[string][]string) (*fault, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	num := func(k string, def int64) (int64, error) {
		v := get(k)
		if v == "" {
			return def, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad %s: %q", k, v)
		}
		return n, nil
	}
	f := &fault{pattern: get("path"), kind: get("kind"), to: get("to"),
		with: get("with"), body: get("body"), chunked: get("chunked") == "1"}
	if f.pattern == "" {
		return nil, fmt.Errorf("path missing")
	}
	if _, ok := kinds[f.kind]; !ok {
		return nil, fmt.Errorf("unknown kind %q", f.kind)
	}
	n, err := num("n", -1)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("n must be at least 1")
	}
	f.left = int(n)
	ms, err := num("ms", 1000)
	if err != nil {
		return nil, err
	}
	f.ms = int(ms)
	def := int64(500)
	if f.kind == "redirect" {
		def = 302
	}
	code, err := num("code", def)
	if err != nil || code < 100 || code > 599 {
		return nil, fmt.Errorf("bad code")
	}
	f.code = int(code)
	if f.size, err = num("size", 1<<20); err != nil {
		return nil, err
	}
	if f.kind == "redirect" && f.to == "" {
		return nil, fmt.Errorf("redirect needs to=URL")
	}
	if (f.kind == "swapzip" || f.kind == "swap") && f.with == "" {
		return nil, fmt.Errorf("%s needs with=PATH", f.kind)
	}
	return f, nil
}

// control answers /_ctl/ requests; it returns the status sent.
func (s *server) control(w http.ResponseWriter, r *http.Request) int {
	if err := r.ParseForm(); err != nil {
		return textAnswer(w, 400, "bad query: "+err.Error()+"\n")
	}
	q := r.Form
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.URL.Path {
	case "/_ctl/count":
		pat := q.Get("path")
		n := 0
		switch {
		case pat == "*":
			n = s.total
		case strings.HasPrefix(pat, "*"):
			for p, c := range s.counts {
				if matches(pat, p) {
					n += c
				}
			}
		default:
			n = s.counts[pat]
		}
		return textAnswer(w, 200, strconv.Itoa(n)+"\n")
	case "/_ctl/counts":
		var paths []string
		for p := range s.counts {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		var b strings.Builder
		for _, p := range paths {
			fmt.Fprintf(&b, "%d %s\n", s.counts[p], p)
		}
		return textAnswer(w, 200, b.String())
	case "/_ctl/reset":
		s.counts = map[string]int{}
		s.total = 0
		s.faults = nil
		s.reqlog = nil
		return textAnswer(w, 200, "ok\n")
	case "/_ctl/log":
		var b strings.Builder
		for _, l := range s.reqlog {
			b.WriteString(l)
			b.WriteString("\n")
		}
		return textAnswer(w, 200, b.String())
	case "/_ctl/fault":
		f, err := newFault(q)
		if err != nil {
			return textAnswer(w, 400, "bad fault: "+err.Error()+"\n")
		}
		kept := s.faults[:0]
		for _, o := range s.faults {
			if o.pattern != f.pattern {
				kept = append(kept, o)
			}
		}
		s.faults = kept
		if f.kind != "none" {
			s.faults = append(s.faults, f)
		}
		return textAnswer(w, 200, "ok\n")
	}
	return textAnswer(w, 404, "not found: no control endpoint "+
		r.URL.Path+"\n")
}

func main() {
	root := flag.String("root", "", "the GOPROXY tree to serve")
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	logname := flag.String("log", "", "file to log the requests to")
	tlscert := flag.String("tlscert", "", "serve https with a new "+
		"self-signed certificate for 127.0.0.1, written to this file")
	latency := flag.Duration("latency", 0, "wait this long before "+
		"every answer (a distant upstream's round trip)")
	synth := flag.String("synth", "", "make the modules under this "+
		"host on demand (any number of modules and versions)")
	flag.Parse()
	if *root == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: fakeproxy -root DIR "+
			"[-addr HOST:PORT] [-log FILE]")
		os.Exit(2)
	}
	if st, err := os.Stat(*root); err != nil || !st.IsDir() {
		fmt.Fprintf(os.Stderr, "fakeproxy: %s: not a directory\n", *root)
		os.Exit(1)
	}
	s := &server{root: *root, counts: map[string]int{}, latency: *latency,
		synth: *synth}
	if *logname != "" {
		lf, err := os.OpenFile(*logname,
			os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, "fakeproxy:", err)
			os.Exit(1)
		}
		s.logfile = lf
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakeproxy:", err)
		os.Exit(1)
	}
	scheme := "http"
	if *tlscert != "" {
		cfg, err := selfSigned(*tlscert)
		if err != nil {
			fmt.Fprintln(os.Stderr, "fakeproxy:", err)
			os.Exit(1)
		}
		ln = tls.NewListener(ln, cfg)
		scheme = "https"
	}
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(out, "listening on %s://%s\n", scheme, ln.Addr().String())
	out.Flush()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		os.Exit(0)
	}()
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "fakeproxy:", err)
		os.Exit(1)
	}
}

// selfSigned makes a key and a self-signed certificate for 127.0.0.1,
// writes the certificate (PEM) to certfile for clients to trust, and
// returns a TLS configuration serving it (HTTP/1.1 only, so faults that
// hijack the connection still work).
func selfSigned(certfile string) (*tls.Config, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature |
			x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl,
		&key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE",
		Bytes: der})
	if err := os.WriteFile(certfile, pemCert, 0o644); err != nil {
		return nil, err
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	return &tls.Config{Certificates: []tls.Certificate{cert},
		NextProtos: []string{"http/1.1"}}, nil
}

// pacedBody writes body in 16 pieces, f.ms milliseconds spread between
// them, flushing each; it returns 200, or 0 when the client went away.
func pacedBody(w http.ResponseWriter, r *http.Request, f *fault,
	body []byte) int {
	const pieces = 16
	fl, _ := w.(http.Flusher)
	step := time.Duration(f.ms) * time.Millisecond / pieces
	for i := 0; i < pieces; i++ {
		a, b := len(body)*i/pieces, len(body)*(i+1)/pieces
		if _, err := w.Write(body[a:b]); err != nil {
			return 0
		}
		if fl != nil {
			fl.Flush()
		}
		if i == pieces-1 {
			break
		}
		t := time.NewTimer(step)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return 0
		}
	}
	return http.StatusOK
}

// The versions -synth modules have (semver, major 0 or 1: no /vN path).
var synthVersionRE = regexp.MustCompile(`^v[01]\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})$`)

// The module names under the -synth host: lower case, digits, "-".
var synthNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// synthModule splits request path p of a -synth module into the module
// path and the rest after "/@v/" or "/@latest"; ok false for any other.
func (s *server) synthModule(p string) (mod, rest string, ok bool) {
	if s.synth == "" || !strings.HasPrefix(p, "/"+s.synth+"/") {
		return "", "", false
	}
	if strings.HasSuffix(p, "/@latest") {
		mod = strings.TrimSuffix(p[1:], "/@latest")
		rest = "@latest"
	} else if i := strings.Index(p, "/@v/"); i > 0 {
		mod, rest = p[1:i], p[i+len("/@v/"):]
	} else {
		return "", "", false
	}
	if !synthNameRE.MatchString(strings.TrimPrefix(mod, s.synth+"/")) {
		return "", "", false
	}
	return mod, rest, true
}

// synthAnswer is the body of a -synth module's list, @latest, .info,
// .mod or .zip; ok false when p is not one.
func (s *server) synthAnswer(p string) ([]byte, bool) {
	mod, rest, ok := s.synthModule(p)
	if !ok {
		return nil, false
	}
	info := func(v string) []byte {
		return []byte(`{"Version":"` + v +
			`","Time":"2020-01-02T03:04:05Z"}`)
	}
	switch rest {
	case "list":
		return []byte("v1.0.0\nv1.0.1\n"), true
	case "@latest":
		return info("v1.0.1"), true
	}
	for _, ext := range []string{".info", ".mod", ".zip"} {
		v := strings.TrimSuffix(rest, ext)
		if v == rest || !synthVersionRE.MatchString(v) {
			continue
		}
		gomod := []byte("module " + mod + "\n\ngo 1.16\n")
		switch ext {
		case ".info":
			return info(v), true
		case ".mod":
			return gomod, true
		}
		return synthZip(mod, v, gomod), true
	}
	return nil, false
}

// synthZip is the module zip of mod@v: its go.mod and one Go file.
func synthZip(mod, v string, gomod []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	name := mod[strings.LastIndex(mod, "/")+1:]
	pkg := "p" + strings.ReplaceAll(name, "-", "_")
	files := []struct{ name, body string }{
		{"go.mod", string(gomod)},
		{name + ".go", "// Package " + pkg + " is made by fakeproxy " +
			"-synth.\npackage " + pkg + "\n\n// Version is the " +
			"version.\nconst Version = \"" + v + "\"\n"},
	}
	for _, f := range files {
		h := &zip.FileHeader{Name: mod + "@" + v + "/" + f.name,
			Method:   zip.Deflate,
			Modified: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)}
		fw, err := zw.CreateHeader(h)
		if err != nil {
			panic(err)
		}
		io.WriteString(fw, f.body)
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
