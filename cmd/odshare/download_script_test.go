package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/odshare/odshare/internal/emulator"
)

// scriptClock is the emulator's clock in a script: the real time, moved on by `emu clock`.
type scriptClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *scriptClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *scriptClock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

type downloadHostKey struct{}

// downloadHost serves the emulator's pre-authenticated download URLs on a second origin, under
// another host name (localhost while Graph is on 127.0.0.1), as Graph's download host is another
// host: what the client sends there is recorded by the emulator, so a script checks that no
// Authorization followed the redirect. It can also make the URLs expire after the Nth download
// (the clock moves on two hours, past their lifetime).
type downloadHost struct {
	h     http.Handler
	clock *scriptClock

	mu          sync.Mutex
	answered    int
	expireAfter int
}

func (d *downloadHost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.answered++
		if d.expireAfter > 0 && d.answered == d.expireAfter {
			d.clock.advance(2 * time.Hour)
		}
	}()
	d.h.ServeHTTP(w, r)
}

// setupEmulator builds the script's Graph emulator from opts (scriptEmulatorOptions) on a clock
// `emu clock` moves, with downloads on a second origin.
func setupEmulator(env *testscript.Env, opts emulator.Options) (*emulator.Server, *httptest.Server, error) {
	clock := &scriptClock{}
	opts.Clock = clock.now
	emu, err := emulator.New(opts)
	if err != nil {
		return nil, nil, err
	}
	srv := httptest.NewUnstartedServer(emu)
	srv.Config.ConnState = emu.TrackConn // emu count and reset wait for clients to be gone (settle)
	srv.Start()
	dh := &downloadHost{h: emu.DownloadHandler(), clock: clock}
	dl := httptest.NewUnstartedServer(dh)
	dl.Config.ConnState = emu.TrackConn
	dl.Start()
	emu.SetDownloadOrigin(strings.Replace(dl.URL, "127.0.0.1", "localhost", 1))
	env.Defer(dl.Close)
	env.Values[downloadHostKey{}] = dh
	return emu, srv, nil
}

// onOff reads the on|off argument of `CMD args[0] on|off`.
func onOff(ts *testscript.TestScript, cmd string, args []string) bool {
	if len(args) != 2 || (args[1] != "on" && args[1] != "off") {
		ts.Fatalf("usage: %s %s on|off", cmd, args[0])
	}
	return args[1] == "on"
}

// cmdEmuDownloads runs the download subcommands of emu:
//
//	emu clock DURATION          move the emulator's clock on (link and download-URL expiry)
//	emu expire-after N          once the download host has answered N requests, move the clock on
//	                            two hours: every download URL issued until then has expired
//	emu ignore-range on|off     the download host ignores Range (200 with the whole file)
//	emu corrupt on|off          the download host flips a bit of each download's first byte
//	emu content ID [SIZE]       give a file new content (new eTag, cTag, hashes)
//	emu served                  print the content bytes the download host sent (since emu reset)
func cmdEmuDownloads(ts *testscript.TestScript, emu *emulator.Server, args []string) bool {
	dh, _ := ts.Value(downloadHostKey{}).(*downloadHost)
	onOff := func() bool { return onOff(ts, "emu", args) }
	switch args[0] {
	case "clock":
		if len(args) != 2 {
			ts.Fatalf("usage: emu clock DURATION")
		}
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		dh.clock.advance(d)
	case "expire-after":
		if len(args) != 2 {
			ts.Fatalf("usage: emu expire-after N")
		}
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		dh.mu.Lock()
		dh.expireAfter, dh.answered = n, 0
		dh.mu.Unlock()
	case "ignore-range":
		emu.SetIgnoreRange(onOff())
	case "corrupt":
		emu.SetCorruptDownloads(onOff())
	case "content":
		ts.Check(emu.ChangeContent(contentArgs(ts, "emu", args)))
	case "served":
		fmt.Fprintf(ts.Stdout(), "served %d bytes\n", emu.Stats().DownloadBytes)
	default:
		return false
	}
	return true
}

// contentArgs reads "content ID [SIZE]" of emu and boxemu: the file and its new size (-1: the
// same).
func contentArgs(ts *testscript.TestScript, cmd string, args []string) (string, int64) {
	if len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: %s content ID [SIZE]", cmd)
	}
	size := int64(-1)
	if len(args) == 3 {
		n, err := strconv.ParseInt(args[2], 10, 64)
		ts.Check(err)
		size = n
	}
	return args[1], size
}

// downloadPath shows a pre-authenticated download URL's path without its signed token, which
// holds an expiry time.
func downloadPath(rawURI string) string {
	if rest, ok := strings.CutPrefix(rawURI, "/_download/"); ok && rest != "" {
		return "/_download/{token}"
	}
	return rawURI
}
