// mkzips: the hostile module zips of tests/data/hostile-zips.tsv, written
// byte for byte (local headers, central directory, zip64 records and end
// record as APPNOTE 4.3 has them, and every lie a hostile upstream may
// tell in them), which archive/zip's writer cannot make.
//
// Only the standard library; Go 1.19 builds it with
//
//	GO111MODULE=off go build -o mkzips mkzips.go
//
// Usage:
//
//	mkzips -list			the case names, one a line
//	mkzips -tree DIR		a GOPROXY tree: for every case NAME, module
//				example.com/zo/NAME at v1.0.0 (list, .info,
//				.mod, .zip) below DIR
//	mkzips -seeds DIR [-max N]	every case's zip of module example.com/mod
//				at v1.0.0 as DIR/NAME.zip, those of at most
//				N bytes (default 65536) only (fuzz seeds)
//
// The output is the same on every run (no time, no randomness).
package main

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"flag"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
)

// ent is one entry: what its local header, data, data descriptor and
// central directory record say.  Zero values are the honest ones.
type ent struct {
	name    string  // central name
	lname   *string // local header name (nil: name)
	content []byte  // uncompressed content (the CRC-32 is of it)
	raw     []byte  // the bytes stored (nil: content, deflated if deflate)
	deflate bool
	method  uint16 // central method
	lmethod *uint16
	flags   uint16
	mode    uint32  // Unix mode in the external attributes (0: MS-DOS)
	crc     *uint32 // central and local CRC-32 (nil: the content's)
	csize   *uint64 // central sizes (nil: the true ones)
	usize   *uint64
	lcsize  *uint32 // local sizes (nil: as central, or 0xffffffff)
	lusize  *uint32
	dd      string  // "S" descriptor with signature, "N" without
	ddcrc   *uint32 // the descriptor's CRC-32 (nil: the header's)
	lextra  []byte
	cextra  []byte
	z64     bool   // central sizes and offset in a zip64 extra field
	z64bad  []byte // the zip64 extra field's body instead of the truth
	sameAs  int    // > 0: no local header of its own, entry sameAs-1's
	offAdd  int64  // added to the central offset
}

// spec is a whole zip.
type spec struct {
	ents      []ent
	stub      []byte // before the first local header
	stubRel   bool   // central offsets not counting the stub
	trail     []byte // after the end record
	comment   []byte
	count     *int    // the end record's entry count (nil: the truth)
	cdOffAdd  int64   // added to the end record's directory offset
	cdSizeSet *uint32 // the end record's directory size
	z64end    bool    // zip64 end record and locator
	z64count  *uint64 // the zip64 end record's count
	locDisks  uint32  // the locator's total disks (0: 1)
	locOff    *uint64 // the locator's offset (nil: the zip64 end record's)
	whole     []byte  // these bytes instead of everything above
	keep32    bool    // the end record's count and offset kept true
	noEnd     bool    // no end record at all
}

// A case: its module's zip (prefix p is "<module>@v1.0.0/") and .mod.
type zcase struct {
	name string
	zip  func(mod, p string) spec
	mod  func(mod string) string // nil: "module MOD\n"
}

func u16(v uint16) *uint16 { return &v }
func u32(v uint32) *uint32 { return &v }
func u64(v uint64) *uint64 { return &v }
func ip(v int) *int        { return &v }
func sp(v string) *string  { return &v }

// f is a plain stored file entry.
func f(name, content string) ent {
	return ent{name: name, content: []byte(content)}
}

// d is a directory entry (mode drwxr-xr-x).
func d(name string) ent {
	return ent{name: name, mode: 040755}
}

func gomod(mod, p string) ent {
	return f(p+"go.mod", "module "+mod+"\n")
}

func deflate(b []byte, level int) []byte {
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, level)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// zeros deflated at speed: n bytes, 1 MiB at a time.
func deflateZeros(n int64) []byte {
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestSpeed)
	z := make([]byte, 1<<20)
	for n > 0 {
		k := int64(len(z))
		if n < k {
			k = n
		}
		w.Write(z[:k])
		n -= k
	}
	w.Close()
	return out.Bytes()
}

// crcZeros is the CRC-32 of n zero bytes.
func crcZeros(n int64) uint32 {
	z := make([]byte, 1<<20)
	var c uint32
	for n > 0 {
		k := int64(len(z))
		if n < k {
			k = n
		}
		c = crc32.Update(c, crc32.IEEETable, z[:k])
		n -= k
	}
	return c
}

type w struct{ bytes.Buffer }

func (b *w) u16(v uint16) { binary.Write(b, binary.LittleEndian, v) }
func (b *w) u32(v uint32) { binary.Write(b, binary.LittleEndian, v) }
func (b *w) u64(v uint64) { binary.Write(b, binary.LittleEndian, v) }

func clamp32(v uint64) uint32 {
	if v >= 0xffffffff {
		return 0xffffffff
	}
	return uint32(v)
}

// build writes spec s.
func build(s spec) []byte {
	if s.whole != nil {
		return s.whole
	}
	var body, cd w
	body.Write(s.stub)
	offs := make([]uint64, len(s.ents))
	raws := make([][]byte, len(s.ents))
	for i := range s.ents {
		e := &s.ents[i]
		raw := e.raw
		if raw == nil {
			raw = e.content
			if e.deflate {
				raw = deflate(e.content, flate.BestCompression)
				if e.method == 0 {
					e.method = 8
				}
			}
		}
		raws[i] = raw
		crc := crc32.ChecksumIEEE(e.content)
		if e.crc != nil {
			crc = *e.crc
		} else {
			e.crc = &crc
		}
		cs, us := uint64(len(raw)), uint64(len(e.content))
		if e.csize != nil {
			cs = *e.csize
		}
		if e.usize != nil {
			us = *e.usize
		}
		e.csize, e.usize = &cs, &us
		if e.sameAs > 0 {
			offs[i] = offs[e.sameAs-1]
			continue
		}
		offs[i] = uint64(body.Len())
		if s.stubRel {
			offs[i] -= uint64(len(s.stub))
		}
		lname := e.name
		if e.lname != nil {
			lname = *e.lname
		}
		lm := e.method
		if e.lmethod != nil {
			lm = *e.lmethod
		}
		lc, lu := clamp32(cs), clamp32(us)
		if e.lcsize != nil {
			lc = *e.lcsize
		}
		if e.lusize != nil {
			lu = *e.lusize
		}
		body.u32(0x04034b50)
		body.u16(20)
		body.u16(e.flags)
		body.u16(lm)
		body.u16(0)
		body.u16(0x21)
		body.u32(crc)
		body.u32(lc)
		body.u32(lu)
		body.u16(uint16(len(lname)))
		body.u16(uint16(len(e.lextra)))
		body.WriteString(lname)
		body.Write(e.lextra)
		body.Write(raw)
		if e.dd != "" {
			if e.dd == "S" {
				body.u32(0x08074b50)
			}
			dc := crc
			if e.ddcrc != nil {
				dc = *e.ddcrc
			}
			body.u32(dc)
			body.u32(uint32(len(raw)))
			body.u32(uint32(len(e.content)))
		}
	}
	cdStart := uint64(body.Len())
	if s.stubRel {
		cdStart -= uint64(len(s.stub))
	}
	for i := range s.ents {
		e := &s.ents[i]
		off := uint64(int64(offs[i]) + e.offAdd)
		made := uint16(0x0014)
		if e.mode != 0 {
			made = 0x0314
		}
		extra := e.cextra
		cs32, us32, off32 := clamp32(*e.csize), clamp32(*e.usize), clamp32(off)
		if e.z64 {
			var x w
			x.u16(1)
			if e.z64bad != nil {
				x.u16(uint16(len(e.z64bad)))
				x.Write(e.z64bad)
			} else {
				x.u16(24)
				x.u64(*e.usize)
				x.u64(*e.csize)
				x.u64(off)
			}
			extra = append(x.Bytes(), extra...)
			cs32, us32, off32 = 0xffffffff, 0xffffffff, 0xffffffff
		}
		cd.u32(0x02014b50)
		cd.u16(made)
		cd.u16(20)
		cd.u16(e.flags)
		cd.u16(e.method)
		cd.u16(0)
		cd.u16(0x21)
		cd.u32(*e.crc)
		cd.u32(cs32)
		cd.u32(us32)
		cd.u16(uint16(len(e.name)))
		cd.u16(uint16(len(extra)))
		cd.u16(0)
		cd.u16(0)
		cd.u16(0)
		cd.u32(e.mode << 16)
		cd.u32(off32)
		cd.WriteString(e.name)
		cd.Write(extra)
	}
	out := body
	out.Write(cd.Bytes())
	n := len(s.ents)
	if s.count != nil {
		n = *s.count
	}
	cdOff := uint64(int64(cdStart) + s.cdOffAdd)
	cdSize := uint32(cd.Len())
	if s.cdSizeSet != nil {
		cdSize = *s.cdSizeSet
	}
	n16, off32 := uint16(n), uint32(cdOff)
	if s.z64end {
		z64at := uint64(out.Len())
		if s.stubRel {
			z64at -= uint64(len(s.stub))
		}
		c64 := uint64(n)
		if s.z64count != nil {
			c64 = *s.z64count
		}
		out.u32(0x06064b50)
		out.u64(44)
		out.u16(45)
		out.u16(45)
		out.u32(0)
		out.u32(0)
		out.u64(c64)
		out.u64(c64)
		out.u64(uint64(cd.Len()))
		out.u64(cdOff)
		out.u32(0x07064b50)
		out.u32(0)
		if s.locOff != nil {
			z64at = *s.locOff
		}
		out.u64(z64at)
		disks := s.locDisks
		if disks == 0 {
			disks = 1
		}
		out.u32(disks)
		if !s.keep32 {
			n16, off32 = 0xffff, 0xffffffff
		}
	}
	if !s.noEnd {
		out.u32(0x06054b50)
		out.u16(0)
		out.u16(0)
		out.u16(n16)
		out.u16(n16)
		out.u32(cdSize)
		out.u32(off32)
		out.u16(uint16(len(s.comment)))
		out.Write(s.comment)
	}
	out.Write(s.trail)
	return out.Bytes()
}

// lfh is the local header of a stored file and its data.
func lfh(name string, data []byte) []byte {
	var b w
	b.u32(0x04034b50)
	b.u16(20)
	b.u16(0)
	b.u16(0)
	b.u16(0)
	b.u16(0x21)
	b.u32(crc32.ChecksumIEEE(data))
	b.u32(uint32(len(data)))
	b.u32(uint32(len(data)))
	b.u16(uint16(len(name)))
	b.u16(0)
	b.WriteString(name)
	b.Write(data)
	return b.Bytes()
}

// cdh is the central directory record of a stored file at off.
func cdh(name string, data []byte, off int) []byte {
	var b w
	b.u32(0x02014b50)
	b.u16(20)
	b.u16(20)
	b.u16(0)
	b.u16(0)
	b.u16(0)
	b.u16(0x21)
	b.u32(crc32.ChecksumIEEE(data))
	b.u32(uint32(len(data)))
	b.u32(uint32(len(data)))
	b.u16(uint16(len(name)))
	b.u16(0)
	b.u16(0)
	b.u16(0)
	b.u16(0)
	b.u32(0)
	b.u32(uint32(off))
	b.WriteString(name)
	return b.Bytes()
}

// eocd is an end record of n entries, a directory of size bytes at off.
func eocd(n, size, off int) []byte {
	var b w
	b.u32(0x06054b50)
	b.u16(0)
	b.u16(0)
	b.u16(uint16(n))
	b.u16(uint16(n))
	b.u32(uint32(size))
	b.u32(uint32(off))
	b.u16(0)
	return b.Bytes()
}

// twincd: go.mod and two local headers of a.go (Y, then X); a directory
// of go.mod and X with its end record, then one of go.mod and Y with its
// own.  Go reads the last end record: Y.
func twincd(m, p string) []byte {
	mod := []byte("module " + m + "\n")
	x := []byte("package twin\n\n// benign\n" + strings.Repeat("// pad\n", 40))
	y := []byte("package twin\n\nfunc init() { panic(\"evil\") }\n")
	var out bytes.Buffer
	og := out.Len()
	out.Write(lfh(p+"go.mod", mod))
	oy := out.Len()
	out.Write(lfh(p+"a.go", y))
	ox := out.Len()
	out.Write(lfh(p+"a.go", x))
	cd1 := append(cdh(p+"go.mod", mod, og), cdh(p+"a.go", x, ox)...)
	o1 := out.Len()
	out.Write(cd1)
	out.Write(eocd(2, len(cd1), o1))
	cd2 := append(cdh(p+"go.mod", mod, og), cdh(p+"a.go", y, oy)...)
	o2 := out.Len()
	out.Write(cd2)
	out.Write(eocd(2, len(cd2), o2))
	return out.Bytes()
}

// one is a spec of these entries and nothing else.
func one(e ...ent) spec { return spec{ents: e} }

const mib = 1 << 20

// The cases, in the data file's order.  Names: lower case letters and
// digits (a module path element each).
var cases = []zcase{
	// t1450's cases (its perl table, byte for byte the same zips).
	{"plain", func(m, p string) spec { return one(gomod(m, p), f(p+"m.go", "package m")) }, nil},
	{"symlink", func(m, p string) spec {
		l := f(p+"link", "/etc/passwd")
		l.mode = 0120777
		return one(gomod(m, p), l)
	}, nil},
	{"fifo", func(m, p string) spec { e := f(p+"fifo", ""); e.mode = 010644; return one(e) }, nil},
	{"dirrepeat", func(m, p string) spec {
		return one(d(p+"a/"), d(p+"a/"), fm(p+"a/x.go", "package a"))
	}, nil},
	{"dirs", func(m, p string) spec {
		return one(d(p), d(p), d(p+"a/"), d(p+"a/b/"), fm(p+"a/b/x.go", "package b"), d(p+"a/"))
	}, nil},
	{"encrypted", func(m, p string) spec { e := f(p+"m.go", "package m"); e.flags = 1; return one(e) }, nil},
	{"strongflag", func(m, p string) spec { e := f(p+"m.go", "package m"); e.flags = 65; return one(e) }, nil},
	{"crczero", func(m, p string) spec { e := f(p+"m.go", "package m"); e.crc = u32(0); return one(e) }, nil},
	{"traversal", func(m, p string) spec { return one(f(p+"../x.go", "x")) }, nil},
	{"casecollision", func(m, p string) spec { return one(f(p+"m.go", "a"), f(p+"M.GO", "b")) }, nil},
	{"dircollision", func(m, p string) spec { return one(d(p+"Dir/"), f(p+"dir/x.go", "x")) }, nil},
	{"badprefix", func(m, p string) spec { return one(f("example.com/zo/other@v1.0.0/x.go", "x")) }, nil},
	{"absolute", func(m, p string) spec { return one(f("/"+p+"x.go", "x")) }, nil},
	{"backslash", func(m, p string) spec { return one(f(p+"a\\b.go", "x")) }, nil},
	{"badutf8", func(m, p string) spec { return one(f(p+"\xff.go", "x")) }, nil},
	{"dupfile", func(m, p string) spec { return one(f(p+"m.go", "a"), f(p+"m.go", "b")) }, nil},
	{"filedir", func(m, p string) spec { return one(f(p+"a", "a"), f(p+"a/x.go", "b")) }, nil},
	{"nestedgomod", func(m, p string) spec { return one(f(p+"sub/go.mod", "module x\n")) }, nil},
	{"gomodcase", func(m, p string) spec { return one(f(p+"GO.MOD", "module x\n")) }, nil},
	{"crcbad", func(m, p string) spec { e := f(p+"m.go", "package m"); e.crc = u32(0x12345678); return one(e) }, nil},
	{"bzip2", func(m, p string) spec { e := f(p+"m.go", "package m"); e.method = 12; return one(e) }, nil},
	{"dirbzip2", func(m, p string) spec {
		e := d(p + "a/")
		e.method = 12
		return one(e, f(p+"a/x.go", "package a"))
	}, nil},
	{"dirdata", func(m, p string) spec {
		e := d(p + "a/")
		e.content = []byte("x")
		return one(e, f(p+"a/x.go", "package a"))
	}, nil},
	{"ddsig", func(m, p string) spec { return one(dd(f(p+"m.go", "package m"), "S", nil)) }, nil},
	{"ddnosig", func(m, p string) spec {
		return one(dd(f(p+"m.go", "package m"), "N", nil), gomod(m, p))
	}, nil},
	{"ddcrczero", func(m, p string) spec {
		e := dd(f(p+"m.go", "package m"), "S", u32(0))
		e.crc = u32(0)
		return one(e)
	}, nil},
	{"ddcrczeronosig", func(m, p string) spec {
		e := dd(f(p+"m.go", "package m"), "N", u32(0))
		e.crc = u32(0)
		return one(e)
	}, nil},
	{"ddcrczeroempty", func(m, p string) spec {
		e := dd(f(p+"m.go", ""), "S", u32(0))
		e.crc = u32(0)
		return one(e)
	}, nil},
	{"ddcrcdiff", func(m, p string) spec { return one(dd(f(p+"m.go", "package m"), "S", u32(0x12345678))) }, nil},
	{"ddabsent", func(m, p string) spec { e := f(p+"m.go", "package m"); e.flags = 8; return one(e) }, nil},
	{"ddnoflag", func(m, p string) spec {
		e := dd(f(p+"m.go", "package m"), "S", u32(0x12345678))
		e.flags = 0
		return one(e)
	}, nil},
	{"dirdd", func(m, p string) spec {
		return one(dirdd(p+"a/"), f(p+"a/x.go", "package a"))
	}, nil},
	{"dirddfirst", func(m, p string) spec {
		return one(dirdd(p+"a/"), d(p+"a/"), f(p+"a/x.go", "package a"))
	}, nil},
	{"dirddlast", func(m, p string) spec {
		return one(d(p+"a/"), dirdd(p+"a/"), f(p+"a/x.go", "package a"))
	}, nil},
	{"dircrc", func(m, p string) spec {
		e := d(p + "a/")
		e.crc = u32(0x12345678)
		return one(e, f(p+"a/x.go", "package a"))
	}, nil},
	{"dirdeflate", func(m, p string) spec {
		e := d(p + "a/")
		e.method = 8
		return one(e, f(p+"a/x.go", "package a"))
	}, nil},

	// Well-formed zips of other shapes.
	{"deflate", func(m, p string) spec {
		return one(df(gomod(m, p)), df(f(p+"m.go", strings.Repeat("package m\n", 50))))
	}, nil},
	{"empty", func(m, p string) spec { return spec{} }, nil},
	{"vendor", func(m, p string) spec {
		return one(gomod(m, p), f(p+"vendor/modules.txt", "# example.com/v v1.0.0\n"),
			f(p+"vendor/example.com/v/v.go", "package v"))
	}, nil},
	{"dotgit", func(m, p string) spec { return one(gomod(m, p), f(p+".git/config", "[core]\n")) }, nil},
	{"modmismatch", func(m, p string) spec {
		return one(f(p+"go.mod", "module "+m+"\n\nrequire example.com/evil v1.0.0\n"))
	}, nil},
	{"gomodmax", func(m, p string) spec {
		e := gomod(m, p)
		e.content = append(e.content, bytes.Repeat([]byte{'\n'}, 16*mib-len(e.content))...)
		return one(df(e))
	}, nil},
	{"kelvin", func(m, p string) spec { return one(f(p+"k.go", "a"), f(p+"\u212a.go", "b")) }, nil},
	{"longs", func(m, p string) spec { return one(f(p+"s.go", "a"), f(p+"\u017f.go", "b")) }, nil},
	{"windowsname", func(m, p string) spec { return one(f(p+"con.go", "x")) }, nil},
	{"tildeshort", func(m, p string) spec { return one(f(p+"GOPRO~1.go", "x")) }, nil},
	{"colon", func(m, p string) spec { return one(f(p+"a:b.go", "x")) }, nil},
	{"space", func(m, p string) spec { return one(f(p+"a b.go", "x")) }, nil},
	{"dotslash", func(m, p string) spec { return one(f(p+"./x.go", "x")) }, nil},
	{"doubleslash", func(m, p string) spec { return one(f(p+"a//x.go", "x")) }, nil},
	{"dotdotmid", func(m, p string) spec { return one(f(p+"a/../x.go", "x")) }, nil},
	{"nulname", func(m, p string) spec { return one(f(p+"a\x00b.go", "x")) }, nil},
	{"emptyname", func(m, p string) spec { return one(gomod(m, p), f("", "x")) }, nil},
	{"prefixcase", func(m, p string) spec { return one(f(strings.ToUpper(p[:1])+p[1:]+"x.go", "x")) }, nil},
	{"prefixversion", func(m, p string) spec {
		return one(f(strings.Replace(p, "@v1.0.0/", "@v1.0.1/", 1)+"x.go", "x"))
	}, nil},
	{"dupgomod", func(m, p string) spec { return one(gomod(m, p), gomod(m, p)) }, nil},
	{"longelem", func(m, p string) spec { return one(f(p+strings.Repeat("a", 300)+".go", "x")) }, nil},

	// Headers that lie.
	{"longdir", func(m, p string) spec {
		// A directory entry with a 300-byte element and no file under
		// it: Unzip skips directory entries, so no file system sees it.
		return one(gomod(m, p), d(p+strings.Repeat("a", 300)+"/"))
	}, nil},
	{"lfhname", func(m, p string) spec {
		e := f(p+"m.go", "package m")
		e.lname = sp("../../../../etc/evil")
		return one(gomod(m, p), e)
	}, nil},
	{"lfhsizes", func(m, p string) spec {
		e := df(f(p+"m.go", "package m"))
		e.lcsize, e.lusize = u32(1), u32(0x7fffffff)
		return one(gomod(m, p), e)
	}, nil},
	{"lfhmethod", func(m, p string) spec {
		e := f(p+"m.go", "package m")
		e.lmethod = u16(8)
		return one(gomod(m, p), e)
	}, nil},
	{"lfhextra", func(m, p string) spec {
		e := f(p+"m.go", "package m")
		e.lextra = bytes.Repeat([]byte{0xff}, 300)
		return one(gomod(m, p), e)
	}, nil},
	{"lfhsig", func(m, p string) spec {
		e := f(p+"m.go", "package m")
		e.offAdd = 1
		return one(gomod(m, p), e)
	}, nil},
	{"usizesmall", func(m, p string) spec {
		e := df(f(p+"m.go", strings.Repeat("package m\n", 20)))
		e.usize = u64(10)
		return one(e)
	}, nil},
	{"usizelarge", func(m, p string) spec {
		e := df(f(p+"m.go", "package m"))
		e.usize = u64(1000)
		return one(e)
	}, nil},
	{"storedsizes", func(m, p string) spec {
		e := f(p+"m.go", "package m")
		e.usize = u64(5)
		return one(e)
	}, nil},
	{"csizelarge", func(m, p string) spec {
		e := df(f(p+"m.go", "package m"))
		e.csize = u64(uint64(len(deflate([]byte("package m"), flate.BestCompression))) + 40)
		return one(e, gomod(m, p))
	}, nil},
	{"deflatebad", func(m, p string) spec {
		e := f(p+"m.go", "package m")
		e.method = 8
		return one(e)
	}, nil},
	{"deflatetail", func(m, p string) spec {
		e := df(f(p+"m.go", "package m"))
		e.raw = append(deflate(e.content, flate.BestCompression), "TRAILING"...)
		return one(e)
	}, nil},
	{"deflatecut", func(m, p string) spec {
		e := df(f(p+"m.go", strings.Repeat("package m\n", 50)))
		full := deflate(e.content, flate.BestCompression)
		e.raw = full[:len(full)/2]
		return one(e)
	}, nil},
	{"overlap", func(m, p string) spec {
		e := f(p+"a.go", "package m")
		e2 := f(p+"b.go", "package m")
		e2.sameAs = 1
		return one(e, e2)
	}, nil},
	{"overlapname", func(m, p string) spec {
		e := f(p+"a.go", "package m")
		e2 := f(p+"b.go", "package m")
		e2.sameAs = 1
		e3 := f(p+"../evil.go", "package m")
		e3.sameAs = 1
		return one(e, e2, e3)
	}, nil},
	{"offsetinto", func(m, p string) spec {
		e := f(p+"a.go", "package m")
		e2 := f(p+"b.go", "package m")
		e2.sameAs = 1
		e2.offAdd = 30 + int64(len(p)+len("a.go"))
		return one(e, e2)
	}, nil},
	{"offsetpast", func(m, p string) spec {
		e := f(p+"a.go", "package m")
		e.offAdd = 1 << 20
		return one(e)
	}, nil},

	// End records and directories.
	{"countlow", func(m, p string) spec { s := one(gomod(m, p), f(p+"m.go", "package m")); s.count = ip(1); return s }, nil},
	{"counthigh", func(m, p string) spec { s := one(gomod(m, p), f(p+"m.go", "package m")); s.count = ip(3); return s }, nil},
	{"cdoffbad", func(m, p string) spec { s := one(gomod(m, p)); s.cdOffAdd = 7; return s }, nil},
	{"stubabs", func(m, p string) spec {
		s := one(gomod(m, p), f(p+"m.go", "package m"))
		s.stub = []byte("#!/bin/sh\nexit 0\n")
		return s
	}, nil},
	{"stubrel", func(m, p string) spec {
		s := one(gomod(m, p), f(p+"m.go", "package m"))
		s.stub = []byte("#!/bin/sh\nexit 0\n")
		s.stubRel = true
		return s
	}, nil},
	{"trailing", func(m, p string) spec {
		s := one(gomod(m, p), f(p+"m.go", "package m"))
		s.trail = []byte("trailing garbage, no signature")
		return s
	}, nil},
	{"trailingeocd", func(m, p string) spec {
		s := one(gomod(m, p), f(p+"m.go", "package m"))
		// An end record in the garbage whose comment runs past the end.
		s.trail = append([]byte("PK\x05\x06"), bytes.Repeat([]byte{0}, 16)...)
		s.trail = append(s.trail, 0xff, 0x00)
		return s
	}, nil},
	{"twoeocd", func(m, p string) spec {
		// A second, later end record naming an empty directory.
		s := one(gomod(m, p), f(p+"m.go", "package m"))
		var t w
		t.u32(0x06054b50)
		t.u16(0)
		t.u16(0)
		t.u16(0)
		t.u16(0)
		t.u32(0)
		t.u32(0)
		t.u16(0)
		s.trail = t.Bytes()
		return s
	}, nil},
	{"twincd", func(m, p string) spec { return spec{whole: twincd(m, p)} }, nil},
	{"negbase", func(m, p string) spec {
		// Every offset 100 bytes too far, the directory's too: Go's
		// base is -100, and every local header is where it says.
		a, b := gomod(m, p), f(p+"m.go", "package m")
		a.offAdd, b.offAdd = 100, 100
		s := one(a, b)
		s.cdOffAdd = 100
		return s
	}, nil},
	{"z64wrap", func(m, p string) spec {
		// Offsets 16 bytes short, the directory's too (a base of 16):
		// go.mod's is then 2^64 - 16 in its zip64 field, which Go's
		// int64 takes as -16, and -16 + 16 is 0, its local header.
		a, b := gomod(m, p), f(p+"m.go", "package m")
		a.offAdd, b.offAdd = -16, -16
		a.z64, b.z64 = true, true
		s := one(a, b)
		s.cdOffAdd = -16
		return s
	}, nil},
	{"cdhsig", func(m, p string) spec {
		// A stub of 46 bytes the offsets do not count, and the last
		// file's content a directory header signature whose record
		// runs past the end: at the offset as recorded go 1.26 finds
		// no whole record, so both go commands take the base.
		var fake w
		fake.u32(0x02014b50)
		fake.Write(make([]byte, 24))
		fake.u16(0xffff)
		fake.u16(0xffff)
		fake.u16(0xffff)
		fake.Write(make([]byte, 12))
		s := one(gomod(m, p), f(p+"fake.bin", fake.String()))
		s.stub = []byte("#!/bin/sh\n# a stub of forty-six bytes.\nexit 0\n")
		s.stubRel = true
		return s
	}, nil},
	{"comment", func(m, p string) spec {
		s := one(gomod(m, p), f(p+"m.go", "package m"))
		s.comment = []byte("a comment\x00PK\x01\x02 with signatures PK\x05\x06")
		return s
	}, nil},
	{"noend", func(m, p string) spec { s := one(gomod(m, p)); s.noEnd = true; return s }, nil},

	// Zip64.
	{"z64entry", func(m, p string) spec {
		e := f(p+"m.go", "package m")
		e.z64 = true
		return one(gomod(m, p), e)
	}, nil},
	{"z64usize", func(m, p string) spec {
		e := df(f(p+"m.go", "package m"))
		e.z64 = true
		var x w
		x.u64(1 << 40)
		x.u64(uint64(len(deflate(e.content, flate.BestCompression))))
		x.u64(0)
		e.z64bad = x.Bytes()
		return one(e)
	}, nil},
	{"z64short", func(m, p string) spec {
		e := f(p+"m.go", "package m")
		e.z64 = true
		e.z64bad = []byte{9, 0, 0, 0, 0, 0, 0, 0}
		return one(e)
	}, nil},
	{"z64ignored", func(m, p string) spec {
		// A zip64 field whose values lie, behind 32-bit values that
		// are not all ones: not to be read.
		e := f(p+"m.go", "package m")
		var x w
		x.u16(1)
		x.u16(24)
		x.u64(1 << 40)
		x.u64(1 << 40)
		x.u64(1 << 40)
		e.cextra = x.Bytes()
		return one(gomod(m, p), e)
	}, nil},
	{"z64end", func(m, p string) spec {
		s := one(gomod(m, p), f(p+"m.go", "package m"))
		s.z64end = true
		return s
	}, nil},
	{"z64endcount", func(m, p string) spec {
		s := one(gomod(m, p), f(p+"m.go", "package m"))
		s.z64end = true
		s.z64count = u64(3)
		return s
	}, nil},
	{"z64locneg", func(m, p string) spec {
		// A directory of exactly 0xffff bytes sends Go to the locator,
		// whose offset of 2^63 is negative to Go: no zip64 record, the
		// 32-bit values stand (the zip64 end record and locator are then
		// 76 bytes of base, which go 1.26 and go 1.19 both drop again).
		a, b := gomod(m, p), f(p+"m.go", "package m")
		pad := 0xffff - (46 + len(a.name)) - (46 + len(b.name)) - 4
		var x w
		x.u16(0xcafe)
		x.u16(uint16(pad))
		x.Write(make([]byte, pad))
		b.cextra = x.Bytes()
		s := one(a, b)
		s.z64end = true
		s.keep32 = true
		s.locOff = u64(1 << 63)
		return s
	}, nil},
	{"z64locdisks", func(m, p string) spec {
		s := one(gomod(m, p), f(p+"m.go", "package m"))
		s.z64end = true
		s.locDisks = 2
		return s
	}, nil},
	{"cdsizeff", func(m, p string) spec {
		// A 32-bit directory size of all ones is no zip64 marker to
		// Go (only 0xffff is): the locator is not read, and the
		// directory would start before the file.
		s := one(gomod(m, p), f(p+"m.go", "package m"))
		s.z64end = true
		s.keep32 = true
		s.cdSizeSet = u32(0xffffffff)
		return s
	}, nil},

	// Bombs and size caps.
	{"gomodbig", func(m, p string) spec {
		e := gomod(m, p)
		e.content = append(e.content, bytes.Repeat([]byte{'\n'}, 16*mib+1-len(e.content))...)
		return one(df(e))
	}, nil},
	{"licensebig", func(m, p string) spec {
		return one(gomod(m, p), df(f(p+"LICENSE", strings.Repeat(" ", 16*mib+1))))
	}, nil},
	{"licensesub", func(m, p string) spec {
		return one(gomod(m, p), df(f(p+"sub/LICENSE", strings.Repeat(" ", 16*mib+1))))
	}, nil},
	{"gomodbomb", func(m, p string) spec {
		e := gomod(m, p)
		e.content = append(e.content, bytes.Repeat([]byte{'\n'}, 17*mib)...)
		e = df(e)
		e.usize = u64(100)
		return one(e)
	}, nil},
	{"bombtotal", func(m, p string) spec {
		const n = 500*mib + 1
		e := ent{name: p + "zeros", raw: deflateZeros(n), method: 8,
			crc: u32(crcZeros(n)), usize: u64(n)}
		return one(gomod(m, p), e)
	}, nil},
	{"bombdeclared", func(m, p string) spec {
		// Declared over 500 MiB in all, each entry the same 1 MiB
		// of zeros (overlapping entries, one local header).
		const n = mib
		raw := deflateZeros(n)
		s := spec{ents: []ent{gomod(m, p)}}
		for i := 0; i < 501; i++ {
			e := ent{name: fmt.Sprintf("%sz%03d", p, i), raw: raw,
				method: 8, crc: u32(crcZeros(n)), usize: u64(n)}
			if i > 0 {
				e.sameAs = 2
			}
			s.ents = append(s.ents, e)
		}
		return s
	}, nil},
	{"z64bomb", func(m, p string) spec {
		e := df(f(p+"m.go", "package m"))
		e.z64 = true
		var x w
		x.u64(600 * mib)
		x.u64(uint64(len(deflate(e.content, flate.BestCompression))))
		x.u64(uint64(0))
		e.z64bad = x.Bytes()
		return one(e, gomod(m, p))
	}, nil},
}

// fm is f with a Unix mode of -rw-r--r--.
func fm(name, content string) ent {
	e := f(name, content)
	e.mode = 0100644
	return e
}

// df deflates e.
func df(e ent) ent {
	e.deflate = true
	return e
}

// dd gives e a data descriptor (general purpose bit 3).
func dd(e ent, kind string, crc *uint32) ent {
	e.flags |= 8
	e.dd = kind
	e.ddcrc = crc
	return e
}

// dirdd is a directory entry with a descriptor of a CRC-32 that lies.
func dirdd(name string) ent {
	e := dd(d(name), "S", u32(0x12345678))
	e.crc = u32(0)
	return e
}

func write(path string, b []byte) {
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(path, b, 0o666); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	list := flag.Bool("list", false, "list the cases")
	tree := flag.String("tree", "", "write a GOPROXY tree")
	seeds := flag.String("seeds", "", "write fuzz seeds")
	max := flag.Int("max", 65536, "largest seed")
	only := flag.String("only", "", "this case only")
	flag.Parse()
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			fmt.Fprintln(os.Stderr, "duplicate case", c.name)
			os.Exit(1)
		}
		seen[c.name] = true
		if *only != "" && c.name != *only {
			continue
		}
		switch {
		case *list:
			fmt.Println(c.name)
		case *tree != "":
			m := "example.com/zo/" + c.name
			dir := filepath.Join(*tree, m, "@v")
			mod := "module " + m + "\n"
			if c.mod != nil {
				mod = c.mod(m)
			}
			write(filepath.Join(dir, "v1.0.0.zip"), build(c.zip(m, m+"@v1.0.0/")))
			write(filepath.Join(dir, "v1.0.0.mod"), []byte(mod))
			write(filepath.Join(dir, "v1.0.0.info"),
				[]byte(`{"Version":"v1.0.0","Time":"2021-01-01T00:00:00Z"}`+"\n"))
			write(filepath.Join(dir, "list"), []byte("v1.0.0\n"))
		case *seeds != "":
			m := "example.com/mod"
			b := build(c.zip(m, m+"@v1.0.0/"))
			if len(b) <= *max {
				write(filepath.Join(*seeds, c.name+".zip"), b)
			}
		}
	}
}
