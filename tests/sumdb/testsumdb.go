// testsumdb: an independent checksum database (sumdb) server for the piraeus
// tests.
//
// It is the reference implementation of golang.org/x/mod/sumdb (NewServer
// over NewTestServer: an in-memory tiled transparency log, signed with a
// note key) serving the go.sum lines of the modules of a GOPROXY tree (a Go
// module cache's cache/download directory, <escaped module>/@v/<escaped
// version>.{info,mod,zip}) on 127.0.0.1.  A record is added to the log the
// first time a module version is looked up: the two go.sum lines
//
//	<path> <version> <h1 of the zip>
//	<path> <version>/go.mod <h1 of the .mod>
//
// computed as the go command does (dirhash.HashZip; dirhash.Hash1 over one
// file named go.mod).  A version whose .zip or .mod is not in the tree is a
// 404.  The tests use it to check a proxy's sumdb pass-through and the go
// command's verification through it: -wrong makes the database disagree
// with the tree, -preload with -key gives two logs forked under one key.
//
// It needs golang.org/x/mod (Debian: golang-golang-x-mod-dev, installed in
// /usr/share/gocode) and nothing else; Go 1.19 builds it offline with
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOPROXY=off \
//	    CGO_ENABLED=0 go build -o testsumdb testsumdb.go
//
// (tests/lib/sumdb.sh does that and runs it.)
//
// Flags:
//
//	-root DIR		the GOPROXY tree
//	-addr HOST:PORT		where to listen (default 127.0.0.1:0)
//	-name NAME		the database's name (default sum.test)
//	-key FILE		the signer key: read from FILE (a PRIVATE+KEY+...
//				string; its name wins over -name) when FILE
//				exists, else generated for -name and written
//				there (mode 0600); without -key a fresh key is
//				generated and not saved
//	-log FILE		append one line per request, "METHOD PATH STATUS"
//				(PATH as received, decoded, e.g.
//				/lookup/github.com/!fixture/!upper@v1.0.0)
//	-prefix P		serve under the URL path P (e.g. /sumdb/sum.test:
//				P/lookup/..., P/latest, P/tile/...; anything
//				else is a 404); default: at the root
//	-wrong MOD@VER		(repeatable, or comma-separated) the record of
//				MOD@VER has a wrong zip hash
//	-preload FILE		"module version" lines (blank lines and # comments
//				skipped) looked up in file order before serving,
//				so that two runs can log records in different
//				orders
//
// On start it prints, each on its own line, "vkey <verifier key>" then
// "listening on http://HOST:PORT"; it serves until SIGTERM or SIGINT and
// then exits 0.
package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb"
	"golang.org/x/mod/sumdb/dirhash"
	"golang.org/x/mod/sumdb/note"
)

// listFlag collects repeated, possibly comma-separated, flag values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "testsumdb: "+format+"\n", args...)
	os.Exit(1)
}

// wrongHash is a valid-looking h1: hash no zip has: that of no file at all.
var wrongHash string

func init() {
	h, err := dirhash.Hash1(nil, nil)
	if err != nil {
		panic(err)
	}
	wrongHash = h
}

// notFound is an error for which os.IsNotExist is true, so that the
// sumdb.Server answers 404.
func notFound(path, vers, why string) error {
	return &fs.PathError{Op: "lookup " + why, Path: path + "@" + vers,
		Err: fs.ErrNotExist}
}

// gosum returns the go.sum lines of path@vers read from the tree root.
func gosum(root string, wrong map[string]bool, path, vers string) ([]byte, error) {
	epath, err := module.EscapePath(path)
	if err != nil {
		return nil, notFound(path, vers, "(invalid module path)")
	}
	evers, err := module.EscapeVersion(vers)
	if err != nil {
		return nil, notFound(path, vers, "(invalid version)")
	}
	base := filepath.Join(root, filepath.FromSlash(epath), "@v", evers)
	for _, ext := range []string{".zip", ".mod"} {
		if _, err := os.Stat(base + ext); err != nil {
			if os.IsNotExist(err) {
				return nil, notFound(path, vers, "(no "+ext+")")
			}
			return nil, err
		}
	}
	zh, err := dirhash.HashZip(base+".zip", dirhash.Hash1)
	if err != nil {
		return nil, err
	}
	if wrong[path+"@"+vers] {
		zh = wrongHash
	}
	mh, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return os.Open(base + ".mod")
	})
	if err != nil {
		return nil, err
	}
	return []byte(fmt.Sprintf("%s %s %s\n%s %s/go.mod %s\n",
		path, vers, zh, path, vers, mh)), nil
}

// verifierKey derives the verifier key of the signer key skey.
func verifierKey(skey string) (string, error) {
	s, err := note.NewSigner(skey)
	if err != nil {
		return "", err
	}
	// PRIVATE+KEY+name+hash+base64(alg, seed); NewSigner checked it all
	// (the name has no "+"; the base64 may).
	f := strings.SplitN(skey, "+", 5)
	if len(f) != 5 {
		return "", errors.New("malformed signer key")
	}
	key, err := base64.StdEncoding.DecodeString(f[4])
	if err != nil || len(key) != 1+ed25519.SeedSize {
		return "", errors.New("malformed signer key")
	}
	pub := ed25519.NewKeyFromSeed(key[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(s.Name(), pub)
}

// loadKey returns the signer and verifier keys: those of file when it
// exists, else new ones for name, saved in file unless it is "".
func loadKey(file, name string) (skey, vkey string, err error) {
	if file != "" {
		data, err := os.ReadFile(file)
		if err == nil {
			for _, f := range strings.Fields(string(data)) {
				if strings.HasPrefix(f, "PRIVATE+KEY+") {
					skey = f
					break
				}
			}
			if skey == "" {
				return "", "", fmt.Errorf("%s: no PRIVATE+KEY+ string", file)
			}
			vkey, err = verifierKey(skey)
			if err != nil {
				return "", "", fmt.Errorf("%s: %v", file, err)
			}
			return skey, vkey, nil
		}
		if !os.IsNotExist(err) {
			return "", "", err
		}
	}
	skey, vkey, err = note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", err
	}
	if file != "" {
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0600)
		if err != nil {
			return "", "", err
		}
		_, err = f.WriteString(skey + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", "", err
		}
	}
	return skey, vkey, nil
}

// preload looks up the "module version" lines of file in order.
func preload(ts *sumdb.TestServer, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			return fmt.Errorf("%s:%d: want \"module version\"", file, n)
		}
		m := module.Version{Path: fields[0], Version: fields[1]}
		if _, err := ts.Lookup(context.Background(), m); err != nil {
			return fmt.Errorf("%s:%d: %v", file, n, err)
		}
	}
	return sc.Err()
}

// statusWriter remembers the status of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// logger appends "METHOD PATH STATUS" lines to a file.
type logger struct {
	mu      sync.Mutex
	f       *os.File
	latency time.Duration // before every answer (a network's round trip)
}

func (l *logger) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		path := r.URL.Path
		time.Sleep(l.latency)
		h.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		if l.f == nil {
			return
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		// *os.File is unbuffered: each line is written at once.
		fmt.Fprintf(l.f, "%s %s %03d\n", r.Method, path, sw.status)
	})
}

func main() {
	var wrongs listFlag
	root := flag.String("root", "", "the GOPROXY tree")
	addr := flag.String("addr", "127.0.0.1:0", "listen on `HOST:PORT`")
	name := flag.String("name", "sum.test", "the database's name")
	keyfile := flag.String("key", "", "the signer key `FILE` (created when missing)")
	logfile := flag.String("log", "", "append a line per request to `FILE`")
	prefix := flag.String("prefix", "", "serve under the URL path `P`")
	preloadFile := flag.String("preload", "", "look up the \"module version\" lines of `FILE` first")
	flag.Var(&wrongs, "wrong", "`MODULE@VERSION` gets a wrong zip hash (repeatable, or comma-separated)")
	latency := flag.Duration("latency", 0, "wait this long before every answer (a distant database's round trip)")
	flag.Parse()
	if *root == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: testsumdb -root DIR [flags]")
		flag.PrintDefaults()
		os.Exit(2)
	}
	wrong := make(map[string]bool)
	for _, w := range wrongs {
		if !strings.Contains(w, "@") {
			fatalf("-wrong %s: want MODULE@VERSION", w)
		}
		wrong[w] = true
	}
	p := strings.TrimRight(*prefix, "/")
	if p != "" && !strings.HasPrefix(p, "/") {
		p = "/" + p
	}

	skey, vkey, err := loadKey(*keyfile, *name)
	if err != nil {
		fatalf("key: %v", err)
	}
	dir := *root
	ts := sumdb.NewTestServer(skey, func(path, vers string) ([]byte, error) {
		return gosum(dir, wrong, path, vers)
	})
	if *preloadFile != "" {
		if err := preload(ts, *preloadFile); err != nil {
			fatalf("preload: %v", err)
		}
	}

	lg := &logger{latency: *latency}
	if *logfile != "" {
		lg.f, err = os.OpenFile(*logfile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0644)
		if err != nil {
			fatalf("%v", err)
		}
	}

	// No ServeMux: it would clean paths and redirect.  The sumdb.Server
	// answers 404 to everything but /lookup/, /latest and /tile/;
	// StripPrefix to everything outside the prefix.
	var h http.Handler = sumdb.NewServer(ts)
	if p != "" {
		h = http.StripPrefix(p, h)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fatalf("%v", err)
	}
	hs := &http.Server{Handler: lg.wrap(h)}
	fmt.Printf("vkey %s\n", vkey)
	fmt.Printf("listening on http://%s\n", ln.Addr())

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		hs.Close()
	}()
	if err := hs.Serve(ln); err != nil && err != http.ErrServerClosed {
		fatalf("%v", err)
	}
	os.Exit(0)
}
