// hookserver.go: a validator hook for the tests of [policy] validator_hook.
//
// POST / with {"Module":"...","Version":"..."} (application/json) is
// answered as the test chose for that module (GET /_ctl/set?module=M&
// action=A&msg=TEXT&ms=N): allow (200, the default), deny (403, body
// msg), error (500, body msg), sleep (ms milliseconds, then 200).  Every
// hook request is logged to -log as one line "MODULE VERSION ACTION" (a
// malformed one as "BAD <reason>"); GET /_ctl/reset forgets the choices.
// Flags: -addr (127.0.0.1:0; the first line on stdout is "listening on
// http://HOST:PORT"), -log FILE.  Built with the go command, offline, like
// fakeproxy.go (tests/lib/hook.sh).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

type choice struct {
	action string
	msg    string
	ms     int
}

var (
	mu      sync.Mutex
	choices = map[string]choice{}
	logf    *os.File
)

func logLine(format string, args ...interface{}) {
	mu.Lock()
	defer mu.Unlock()
	fmt.Fprintf(logf, format+"\n", args...)
}

func hook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		logLine("BAD method %s", r.Method)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		logLine("BAD content-type %q", ct)
		http.Error(w, "application/json only", http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	var req struct{ Module, Version string }
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil || req.Module == "" || req.Version == "" {
		logLine("BAD body %q", body)
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	mu.Lock()
	c, ok := choices[req.Module]
	mu.Unlock()
	if !ok {
		c = choice{action: "allow"}
	}
	logLine("%s %s %s", req.Module, req.Version, c.action)
	switch c.action {
	case "deny":
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, c.msg)
	case "error":
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, c.msg)
	case "sleep":
		time.Sleep(time.Duration(c.ms) * time.Millisecond)
		w.WriteHeader(http.StatusOK)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

func ctlSet(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a := q.Get("action")
	switch a {
	case "allow", "deny", "error", "sleep":
	default:
		http.Error(w, "unknown action "+a, http.StatusBadRequest)
		return
	}
	ms, _ := strconv.Atoi(q.Get("ms"))
	mu.Lock()
	choices[q.Get("module")] = choice{action: a, msg: q.Get("msg"), ms: ms}
	mu.Unlock()
	io.WriteString(w, "ok")
}

func ctlReset(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	choices = map[string]choice{}
	mu.Unlock()
	io.WriteString(w, "ok")
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	logName := flag.String("log", os.DevNull, "request log")
	flag.Parse()
	var err error
	if logf, err = os.OpenFile(*logName, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0644); err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/_ctl/set", ctlSet)
	mux.HandleFunc("/_ctl/reset", ctlReset)
	mux.HandleFunc("/", hook)
	fmt.Printf("listening on http://%s\n", ln.Addr())
	os.Stdout.Sync()
	log.Fatal(http.Serve(ln, mux))
}
