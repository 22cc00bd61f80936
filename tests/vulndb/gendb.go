// gendb: writes a Go vulnerability database (the v1 API of
// go.dev/security/vulndb/api) for the piraeus tests and benchmarks.
//
// The tree it writes under -o DIR:
//
//	index/db.json        {"modified": T}, T the newest entry's modified
//	index/modules.json   [{"path","vulns":[{"id","modified","fixed"}]}]
//	index/vulns.json     [{"id","modified","aliases"}]
//	ID/<id>.json         one OSV entry
//
// each also as .json.gz (the gzip of exactly the .json); and, written on
// their own from the same entries as golang.org/x/vuln's legacy database
// did (what govulncheck before v1.0, Debian 12's, reads: GOVULNDB):
//
//	index.json           {module path: its newest entry's modified}
//	<escaped path>.json  [entries affecting the module]
//	ID/index.json        [ids]
//	aliases.json         {alias: [ids]}
//
// the oracle the legacy files piraeus derives are compared with.  Entries are
// made, not copied: -n N entries GO-<year>-<nnnn> spread over -modules M
// fixture modules example.com/vmod<k> (every 7th named with upper-case
// letters, example.com/VMod<k>, so that escaping is exercised), each
// affecting the package example.com/vmod<k>/p, symbol F<i>.  -fixture adds
// the entries the govulncheck test needs: GO-2099-0001 for module
// example.com/vulnlib (symbol Vuln in package example.com/vulnlib, fixed
// in v1.1.0) and GO-2099-0002 for the same module, symbol Unused (not
// called by the fixture app) and GO-2099-0003 for "stdlib" (package
// crypto/des, fixed in 0.0.1: no Go release is affected, but a client
// asks for the standard library's entries).  -bump K makes entries 0, step, 2*step ...
// (K of them) one day newer than their base time, as an upstream that
// changed K entries would.  The output is a function of the flags only.
// Only the standard library; Go 1.19 builds it with
//
//	GO111MODULE=off go build -o gendb gendb.go
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

type rangeEvent struct {
	Introduced string `json:"introduced,omitempty"`
	Fixed      string `json:"fixed,omitempty"`
}

type rng struct {
	Type   string       `json:"type"`
	Events []rangeEvent `json:"events"`
}

type imp struct {
	Path    string   `json:"path"`
	Symbols []string `json:"symbols,omitempty"`
}

type affected struct {
	Package struct {
		Name      string `json:"name"`
		Ecosystem string `json:"ecosystem"`
	} `json:"package"`
	Ranges            []rng `json:"ranges"`
	EcosystemSpecific struct {
		Imports []imp `json:"imports"`
	} `json:"ecosystem_specific"`
}

type entry struct {
	SchemaVersion    string     `json:"schema_version"`
	ID               string     `json:"id"`
	Modified         string     `json:"modified"`
	Published        string     `json:"published"`
	Aliases          []string   `json:"aliases,omitempty"`
	Summary          string     `json:"summary"`
	Details          string     `json:"details"`
	Affected         []affected `json:"affected"`
	DatabaseSpecific struct {
		URL string `json:"url"`
	} `json:"database_specific"`
}

type modVuln struct {
	ID       string `json:"id"`
	Modified string `json:"modified"`
	Fixed    string `json:"fixed,omitempty"`
}

type module struct {
	Path  string    `json:"path"`
	Vulns []modVuln `json:"vulns"`
}

type vuln struct {
	ID       string   `json:"id"`
	Modified string   `json:"modified"`
	Aliases  []string `json:"aliases,omitempty"`
}

const stamp = time.RFC3339

var out string

// write puts b at rel and its gzip at rel.gz.
func write(rel string, b []byte) {
	fn := filepath.Join(out, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(fn), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(fn, b, 0o644); err != nil {
		log.Fatal(err)
	}
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	if err := os.WriteFile(fn+".gz", z.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

func mk(id, mod, pkg, sym, fixed string, mt time.Time, i int) entry {
	var e entry
	e.SchemaVersion = "1.3.1"
	e.ID = id
	e.Modified = mt.UTC().Format(stamp)
	e.Published = mt.UTC().Add(-time.Hour).Format(stamp)
	e.Aliases = []string{fmt.Sprintf("CVE-%d-%05d", 2000+i%20, i),
		fmt.Sprintf("GHSA-test-%04d-%04d", i/10000, i%10000)}
	e.Summary = fmt.Sprintf("Test vulnerability %d in %s", i, mod)
	e.Details = strings.Repeat(fmt.Sprintf("Entry %s of the piraeus test "+
		"database; calling %s.%s is unsafe before %s. ", id, pkg, sym,
		fixed), 1+i%5)
	var a affected
	a.Package.Name = mod
	a.Package.Ecosystem = "Go"
	a.Ranges = []rng{{Type: "SEMVER", Events: []rangeEvent{
		{Introduced: "0"}, {Fixed: fixed}}}}
	a.EcosystemSpecific.Imports = []imp{{Path: pkg, Symbols: []string{sym}}}
	e.Affected = []affected{a}
	e.DatabaseSpecific.URL = "https://pkg.go.dev/vuln/" + id
	return e
}

func main() {
	flag.StringVar(&out, "o", "", "output directory")
	n := flag.Int("n", 10, "entries")
	nmod := flag.Int("modules", 0, "modules (default n/4+1)")
	fixture := flag.Bool("fixture", false, "the govulncheck fixture entries")
	bump := flag.Int("bump", 0, "entries made one day newer")
	flag.Parse()
	if out == "" {
		log.Fatal("gendb: -o DIR")
	}
	if *nmod <= 0 {
		*nmod = *n/4 + 1
	}
	base := time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC)
	step := 1
	if *bump > 0 {
		step = *n / *bump
		if step < 1 {
			step = 1
		}
	}
	var entries []entry
	for i := 0; i < *n; i++ {
		id := fmt.Sprintf("GO-%d-%04d", 2020+i/10000, i%10000)
		k := i % *nmod
		mod := fmt.Sprintf("example.com/vmod%d", k)
		if k%7 == 3 {
			mod = fmt.Sprintf("example.com/VMod%d", k)
		}
		mt := base.Add(time.Duration(i) * time.Minute)
		if *bump > 0 && i%step == 0 && i/step < *bump {
			mt = mt.Add(24 * time.Hour)
		}
		entries = append(entries, mk(id, mod, mod+"/p",
			fmt.Sprintf("F%d", i), fmt.Sprintf("1.%d.0", 1+i%9), mt, i))
	}
	if *fixture {
		mt := base.Add(-time.Hour)
		entries = append(entries,
			mk("GO-2099-0001", "example.com/vulnlib",
				"example.com/vulnlib", "Vuln", "1.1.0", mt, 90001),
			mk("GO-2099-0002", "example.com/vulnlib",
				"example.com/vulnlib", "Unused", "1.1.0", mt, 90002),
			mk("GO-2099-0003", "stdlib", "crypto/des",
				"NewCipher", "0.0.1", mt, 90003))
	}
	mods := map[string]*module{}
	var vulns []vuln
	newest := ""
	for _, e := range entries {
		b, err := json.Marshal(e)
		if err != nil {
			log.Fatal(err)
		}
		write("ID/"+e.ID+".json", b)
		vulns = append(vulns, vuln{e.ID, e.Modified, e.Aliases})
		for _, a := range e.Affected {
			m := mods[a.Package.Name]
			if m == nil {
				m = &module{Path: a.Package.Name}
				mods[a.Package.Name] = m
			}
			m.Vulns = append(m.Vulns, modVuln{e.ID, e.Modified,
				a.Ranges[0].Events[1].Fixed})
		}
		if e.Modified > newest {
			newest = e.Modified
		}
	}
	var ml []*module
	for _, m := range mods {
		sort.Slice(m.Vulns, func(i, j int) bool {
			return m.Vulns[i].ID < m.Vulns[j].ID
		})
		ml = append(ml, m)
	}
	sort.Slice(ml, func(i, j int) bool { return ml[i].Path < ml[j].Path })
	sort.Slice(vulns, func(i, j int) bool { return vulns[i].ID < vulns[j].ID })
	b, _ := json.Marshal(ml)
	write("index/modules.json", b)
	b, _ = json.Marshal(vulns)
	write("index/vulns.json", b)
	b, _ = json.Marshal(map[string]string{"modified": newest})
	write("index/db.json", b)
	legacy(entries)
}

// escape is golang.org/x/mod/module.EscapePath for the paths made here:
// each upper-case letter becomes "!" and its lower case.
func escape(p string) string {
	if p == "stdlib" || p == "toolchain" {
		return p
	}
	var b strings.Builder
	for _, r := range p {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// legacy writes the layout of the database before the v1 API.
func legacy(entries []entry) {
	index := map[string]time.Time{}
	bymod := map[string][]entry{}
	aliases := map[string][]string{}
	var ids []string
	for _, e := range entries {
		mt, err := time.Parse(stamp, e.Modified)
		if err != nil {
			log.Fatal(err)
		}
		for _, a := range e.Affected {
			m := a.Package.Name
			bymod[m] = append(bymod[m], e)
			if mt.After(index[m]) {
				index[m] = mt
			}
		}
		for _, a := range e.Aliases {
			aliases[a] = append(aliases[a], e.ID)
		}
		ids = append(ids, e.ID)
	}
	sort.Strings(ids)
	put := func(rel string, v interface{}) {
		b, err := json.Marshal(v)
		if err != nil {
			log.Fatal(err)
		}
		fn := filepath.Join(out, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(fn), 0o755)
		if err := os.WriteFile(fn, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	put("index.json", index)
	put("ID/index.json", ids)
	put("aliases.json", aliases)
	for m, es := range bymod {
		put(escape(m)+".json", es)
	}
}
