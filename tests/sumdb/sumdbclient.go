// sumdbclient: the reference checksum database client, for the piraeus
// tests.
//
// It is the client of golang.org/x/mod/sumdb (sumdb.NewClient, the code the
// go command verifies go.sum lines with) run against a checksum database
// served over HTTP, typically piraeus' own private database at
// http://HOST:PORT/sumdb/NAME.  Every lookup is checked as the go command
// checks it: the record is authenticated against a signed tree head, each
// new tree head is proved consistent with the one seen before, and the
// tiles used for the proofs are authenticated against the tree.  On top of
// that, the go.sum lines the client returns must be exactly those of a
// GOPROXY tree (a Go module cache's cache/download directory):
//
//	<path> <version> <h1 of the zip>
//	<path> <version>/go.mod <h1 of the .mod>
//
// computed as the go command does (dirhash.HashZip; dirhash.Hash1 over one
// file named go.mod).  The client's state (its verifier key, its latest
// tree, its cache of lookups and tiles) lives in memory only: each run is a
// fresh client.
//
// It needs golang.org/x/mod (Debian: golang-golang-x-mod-dev, installed in
// /usr/share/gocode) and nothing else; Go 1.19 builds it offline with
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOPROXY=off \
//	    CGO_ENABLED=0 go build -o sumdbclient sumdbclient.go
//
// (tests/integ/t1520-sumdb-private.t does that and runs it.)
//
// Flags:
//
//	-url BASE		the database, e.g.
//				http://127.0.0.1:8080/sumdb/private.test
//				(BASE/lookup/..., BASE/latest, BASE/tile/...)
//	-vkey KEY		its verifier key (NAME+HASH+KEY)
//	-list FILE		"module version" lines to look up, in file order
//				(blank lines and # comments skipped); may be
//				omitted with -audit
//	-root DIR		the GOPROXY tree holding the true hashes
//	-latest-every K		after every K lookups, also fetch BASE/latest:
//				it must be signed by the key and consistent
//				with the client's latest tree (proved with
//				golang.org/x/mod/sumdb/tlog over the server's
//				tiles); a newer one is then handed to the
//				client as its latest tree, which it must
//				reconcile with the next tree it sees
//	-audit			after the lookups, audit the whole log at BASE/latest
//				without the client: read every record from the
//				data tiles (each must be the go.sum lines of the
//				tree), recompute every stored hash from them, and
//				require the signed tree hash and every hash tile
//				of every level, byte for byte
//	-nocache		no cache of lookups and tiles in the client
//	-log FILE		write one line per request to FILE, "PATH STATUS"
//				(PATH under BASE, e.g. /tile/8/0/000.p/5)
//
// It prints one line per lookup, "ok MODULE VERSION" or "FAIL MODULE
// VERSION: reason", then "N ok, M failed" (lookups), a "FAIL latest ..."
// line for a bad latest, "audit ok: ..." or "FAIL audit: reason" with
// -audit, and "R requests"; it exits 0 only if every check passed.
//
// The audit exists because the client alone does not authenticate every
// tile it uses: in golang.org/x/mod v0.7.0, tlog.TileHashReader checks
// the full tiles it fetches against their parents only from index
// len(stx) of its tile list, which counts the subtrees of the tree hash
// rather than the distinct tiles holding them, so a full level-0 tile can
// be used unchecked (for a tree of 700 records, tile/8/0/000 is); the
// record hash check then still catches a record that does not match the
// tile, but not a tile and a record forged together.  A security error reported by the client
// (a fork in the log, a tile that does not match the tree) is printed with
// "SECURITY ERROR" and ends the run at once with exit status 1.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb"
	"golang.org/x/mod/sumdb/dirhash"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "sumdbclient: "+format+"\n", args...)
	os.Exit(2)
}

// remote fetches paths under a base URL and counts its requests.
type remote struct {
	base string
	hc   *http.Client
	log  io.Writer // or nil
	mu   sync.Mutex
	n    int
}

func (r *remote) logf(format string, args ...interface{}) {
	if r.log == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.log, format, args...)
}

func (r *remote) get(path string) ([]byte, error) {
	r.mu.Lock()
	r.n++
	r.mu.Unlock()
	resp, err := r.hc.Get(r.base + path)
	if err != nil {
		r.logf("%s error\n", path)
		return nil, err
	}
	defer resp.Body.Close()
	r.logf("%s %d\n", path, resp.StatusCode)
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %.200q", path, resp.Status, data)
	}
	return data, nil
}

func (r *remote) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// ops is an in-memory sumdb.ClientOps.
type ops struct {
	rem     *remote
	vkey    string
	name    string
	nocache bool

	mu     sync.Mutex
	config map[string][]byte
	cache  map[string][]byte
}

func (o *ops) ReadRemote(path string) ([]byte, error) {
	return o.rem.get(path)
}

func (o *ops) ReadConfig(file string) ([]byte, error) {
	if file == "key" {
		return []byte(o.vkey), nil
	}
	if file == o.name+"/latest" {
		o.mu.Lock()
		defer o.mu.Unlock()
		return append([]byte(nil), o.config[file]...), nil
	}
	return nil, fmt.Errorf("unknown config %s", file)
}

func (o *ops) WriteConfig(file string, old, new []byte) error {
	if file != o.name+"/latest" {
		return fmt.Errorf("cannot write config %s", file)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if !bytes.Equal(o.config[file], old) {
		return sumdb.ErrWriteConflict
	}
	o.config[file] = append([]byte(nil), new...)
	return nil
}

func (o *ops) ReadCache(file string) ([]byte, error) {
	if o.nocache {
		return nil, os.ErrNotExist
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	data, ok := o.cache[file]
	if !ok {
		return nil, os.ErrNotExist
	}
	return data, nil
}

func (o *ops) WriteCache(file string, data []byte) {
	if o.nocache {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.cache[file] = append([]byte(nil), data...)
}

func (o *ops) Log(msg string) {
	fmt.Fprintln(os.Stderr, msg)
}

func (o *ops) SecurityError(msg string) {
	fmt.Println(msg)
	if !strings.Contains(msg, "SECURITY ERROR") {
		fmt.Println("SECURITY ERROR")
	}
	os.Exit(1)
}

// swapLatest replaces the client's stored latest tree with msg if it is
// still old, as another go command sharing the configuration would.
func (o *ops) swapLatest(old, msg []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if bytes.Equal(o.config[o.name+"/latest"], old) {
		o.config[o.name+"/latest"] = append([]byte(nil), msg...)
	}
}

// want returns the two go.sum lines of path@vers in the tree root.
func want(root, path, vers string) (zipLine, modLine string, err error) {
	epath, err := module.EscapePath(path)
	if err != nil {
		return "", "", err
	}
	evers, err := module.EscapeVersion(vers)
	if err != nil {
		return "", "", err
	}
	base := filepath.Join(root, filepath.FromSlash(epath), "@v", evers)
	zh, err := dirhash.HashZip(base+".zip", dirhash.Hash1)
	if err != nil {
		return "", "", err
	}
	mh, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return os.Open(base + ".mod")
	})
	if err != nil {
		return "", "", err
	}
	return path + " " + vers + " " + zh, path + " " + vers + "/go.mod " + mh, nil
}

// lookup looks path@vers up with the client and compares with the tree.
func lookup(c *sumdb.Client, root, path, vers string) error {
	zipLine, modLine, err := want(root, path, vers)
	if err != nil {
		return fmt.Errorf("in the tree: %v", err)
	}
	for _, q := range []struct{ vers, line string }{
		{vers, zipLine},
		{vers + "/go.mod", modLine},
	} {
		lines, err := c.Lookup(path, q.vers)
		if err != nil {
			return err
		}
		if len(lines) != 1 || lines[0] != q.line {
			return fmt.Errorf("lookup of %s %s: got %q, want %q",
				path, q.vers, lines, q.line)
		}
	}
	return nil
}

// tileReader reads tiles from the server for tlog.TileHashReader, which
// authenticates them against the tree it was made for.
type tileReader struct {
	rem *remote
}

func (t tileReader) Height() int { return 8 }

func (t tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, tile := range tiles {
		d, err := t.rem.get("/" + tile.Path())
		if err != nil {
			return nil, err
		}
		data[i] = d
	}
	return data, nil
}

func (t tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// openTree checks msg's signature and returns its tree.
func openTree(msg []byte, v note.Verifiers) (tlog.Tree, error) {
	n, err := note.Open(msg, v)
	if err != nil {
		return tlog.Tree{}, fmt.Errorf("tree note: %v", err)
	}
	return tlog.ParseTree([]byte(n.Text))
}

// checkLatest fetches /latest and proves it consistent with the client's
// latest tree; a newer one becomes the client's latest.
func checkLatest(o *ops, v note.Verifiers) error {
	msg, err := o.rem.get("/latest")
	if err != nil {
		return err
	}
	tree, err := openTree(msg, v)
	if err != nil {
		return fmt.Errorf("latest: %v", err)
	}
	known, _ := o.ReadConfig(o.name + "/latest")
	if len(known) == 0 {
		o.swapLatest(known, msg)
		return nil
	}
	old, err := openTree(known, v)
	if err != nil {
		return fmt.Errorf("the client's latest: %v", err)
	}
	older, newer := old, tree
	if newer.N < older.N {
		older, newer = newer, older
	}
	h, err := tlog.TreeHash(older.N, tlog.TileHashReader(newer, tileReader{o.rem}))
	if err != nil {
		return fmt.Errorf("latest: tree#%d against tree#%d: %v", older.N, newer.N, err)
	}
	if h != older.Hash {
		return fmt.Errorf("SECURITY ERROR: latest: tree#%d is not contained in tree#%d", older.N, newer.N)
	}
	if tree.N > old.N {
		o.swapLatest(known, msg)
	}
	return nil
}

// audit checks the whole log against its signed tree head.
func audit(rem *remote, v note.Verifiers, root string) (string, error) {
	msg, err := rem.get("/latest")
	if err != nil {
		return "", err
	}
	tree, err := openTree(msg, v)
	if err != nil {
		return "", fmt.Errorf("latest: %v", err)
	}
	const h = 8
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x < 0 || x >= int64(len(stored)) {
				return nil, fmt.Errorf("no stored hash %d", x)
			}
			out[i] = stored[x]
		}
		return out, nil
	})
	ntiles, ndata := 0, 0
	for start := int64(0); start < tree.N; start += 1 << h {
		w := tree.N - start
		if w > 1<<h {
			w = 1 << h
		}
		t := tlog.Tile{H: h, L: -1, N: start >> h, W: int(w)}
		data, err := rem.get("/" + t.Path())
		if err != nil {
			return "", err
		}
		ndata++
		for i := int64(0); i < w; i++ {
			id, text, rest, err := tlog.ParseRecord(data)
			if err != nil {
				return "", fmt.Errorf("%s: record %d: %v", t.Path(), start+i, err)
			}
			if id != start+i {
				return "", fmt.Errorf("%s: record %d has id %d", t.Path(), start+i, id)
			}
			data = rest
			f := strings.Fields(string(text))
			if len(f) != 6 {
				return "", fmt.Errorf("record %d: not two go.sum lines: %q", id, text)
			}
			zl, ml, err := want(root, f[0], f[1])
			if err != nil {
				return "", fmt.Errorf("record %d: in the tree: %v", id, err)
			}
			if string(text) != zl+"\n"+ml+"\n" {
				return "", fmt.Errorf("record %d: %q, want %q", id, text, zl+"\n"+ml+"\n")
			}
			hs, err := tlog.StoredHashes(id, text, reader)
			if err != nil {
				return "", err
			}
			stored = append(stored, hs...)
		}
		if len(data) != 0 {
			return "", fmt.Errorf("%s: %d bytes after %d records", t.Path(), len(data), w)
		}
	}
	th, err := tlog.TreeHash(tree.N, reader)
	if err != nil {
		return "", err
	}
	if th != tree.Hash {
		return "", fmt.Errorf("the records make tree hash %v, latest signs %v", th, tree.Hash)
	}
	for l := 0; tree.N>>(uint(l)*h) > 0; l++ {
		n := tree.N >> (uint(l) * h)
		for start := int64(0); start < n; start += 1 << h {
			w := n - start
			if w > 1<<h {
				w = 1 << h
			}
			t := tlog.Tile{H: h, L: l, N: start >> h, W: int(w)}
			want, err := tlog.ReadTileData(t, reader)
			if err != nil {
				return "", err
			}
			got, err := rem.get("/" + t.Path())
			if err != nil {
				return "", err
			}
			if !bytes.Equal(got, want) {
				return "", fmt.Errorf("%s: wrong hashes", t.Path())
			}
			ntiles++
		}
	}
	return fmt.Sprintf("tree of %d records, %d data tiles, %d hash tiles", tree.N, ndata, ntiles), nil
}

func main() {
	url := flag.String("url", "", "the database's base `URL`")
	vkey := flag.String("vkey", "", "its verifier `KEY`")
	list := flag.String("list", "", "the `FILE` of \"module version\" lines to look up")
	root := flag.String("root", "", "the GOPROXY tree `DIR` with the true hashes")
	every := flag.Int("latest-every", 0, "fetch and check latest after every `K` lookups")
	nocache := flag.Bool("nocache", false, "no cache in the client")
	doAudit := flag.Bool("audit", false, "audit the whole log after the lookups")
	logfile := flag.String("log", "", "write a line per request to `FILE`")
	flag.Parse()
	if *url == "" || *vkey == "" || (*list == "" && !*doAudit) || *root == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: sumdbclient -url BASE -vkey KEY -list FILE -root DIR [flags]")
		flag.PrintDefaults()
		os.Exit(2)
	}
	verifier, err := note.NewVerifier(strings.TrimSpace(*vkey))
	if err != nil {
		fatalf("-vkey: %v", err)
	}
	verifiers := note.VerifierList(verifier)

	type modver struct{ path, vers string }
	var todo []modver
	if *list != "" {
		f, err := os.Open(*list)
		if err != nil {
			fatalf("%v", err)
		}
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			fields := strings.Fields(line)
			if len(fields) != 2 {
				fatalf("%s:%d: want \"module version\"", *list, n)
			}
			todo = append(todo, modver{fields[0], fields[1]})
		}
		if err := sc.Err(); err != nil {
			fatalf("%s: %v", *list, err)
		}
		f.Close()
	}

	rem := &remote{
		base: strings.TrimRight(*url, "/"),
		hc:   &http.Client{Timeout: 30 * time.Second},
	}
	if *logfile != "" {
		lf, err := os.Create(*logfile)
		if err != nil {
			fatalf("%v", err)
		}
		// Unbuffered: complete even when a security error exits.
		rem.log = lf
	}
	o := &ops{
		rem:     rem,
		vkey:    strings.TrimSpace(*vkey),
		name:    verifier.Name(),
		nocache: *nocache,
		config:  make(map[string][]byte),
		cache:   make(map[string][]byte),
	}
	c := sumdb.NewClient(o)

	nok, nfail, bad := 0, 0, false
	for i, mv := range todo {
		if err := lookup(c, *root, mv.path, mv.vers); err != nil {
			nfail++
			fmt.Printf("FAIL %s %s: %s\n", mv.path, mv.vers,
				strings.ReplaceAll(err.Error(), "\n", " | "))
		} else {
			nok++
			fmt.Printf("ok %s %s\n", mv.path, mv.vers)
		}
		if *every > 0 && (i+1)%*every == 0 {
			if err := checkLatest(o, verifiers); err != nil {
				bad = true
				fmt.Printf("FAIL latest after %d lookups: %s\n", i+1,
					strings.ReplaceAll(err.Error(), "\n", " | "))
			}
		}
	}
	fmt.Printf("%d ok, %d failed\n", nok, nfail)
	if *doAudit {
		if what, err := audit(rem, verifiers, *root); err != nil {
			bad = true
			fmt.Printf("FAIL audit: %s\n", strings.ReplaceAll(err.Error(), "\n", " | "))
		} else {
			fmt.Printf("audit ok: %s\n", what)
		}
	}
	fmt.Printf("%d requests\n", rem.count())
	if nfail != 0 || bad {
		os.Exit(1)
	}
}
