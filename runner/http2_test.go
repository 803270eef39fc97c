package runner

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// TestHTTP2Streams runs a cell over HTTP/2, through TLS and as h2c, and
// checks that the requests went out as HTTP/2 and that their events keep
// the server's pacing.
func TestHTTP2Streams(t *testing.T) {
	t.Parallel()
	const gap = 30 * time.Millisecond
	for _, tc := range []struct {
		name string
		tls  bool
	}{{"TLS", true}, {"h2c", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var http1 atomic.Int64
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.ProtoMajor != 2 {
					http1.Add(1)
				}
				w.Header().Set("Content-Type", "text/event-stream")
				for i := range 3 {
					time.Sleep(gap)
					finish := "null"
					if i == 2 {
						finish = `"length"`
					}
					fmt.Fprintf(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"t%d\"},\"finish_reason\":%s}]}\n\n", i, finish)
					w.(http.Flusher).Flush()
				}
				fmt.Fprint(w, "data: [DONE]\n\n")
			}))
			var protocols http.Protocols
			protocols.SetHTTP2(true)
			protocols.SetUnencryptedHTTP2(true)
			srv.Config.Protocols = &protocols
			transport := Transport{HTTP2: true}
			if tc.tls {
				srv.EnableHTTP2 = true
				srv.StartTLS()
				transport.CAFile = filepath.Join(t.TempDir(), "ca.pem")
				ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
				if err := os.WriteFile(transport.CAFile, ca, 0o600); err != nil {
					t.Fatal(err)
				}
			} else {
				srv.Start()
			}
			defer srv.Close()

			cell := testCell(t, srv.URL)
			cell.Target.Transport = transport
			cell.Concurrency, cell.Requests = 2, 4
			res, err := testRunner(2).RunCell(context.Background(), cell)
			if err != nil {
				t.Fatal(err)
			}
			if n := http1.Load(); n != 0 {
				t.Errorf("%d requests arrived as HTTP/1", n)
			}
			for _, rec := range measured(res.Records) {
				if !rec.OK() || len(rec.OutputAt) != 3 {
					t.Fatalf("request %d: ok %v (%s), %d outputs; want a success with 3", rec.Index, rec.OK(), rec.Error, len(rec.OutputAt))
				}
				if rec.Written <= 0 || rec.Written > rec.Headers {
					t.Errorf("request %d: written %v, headers %v; want written after send and before the headers", rec.Index, rec.Written, rec.Headers)
				}
				for i := 1; i < 3; i++ {
					if d := rec.OutputAt[i] - rec.OutputAt[i-1]; d < gap-5*time.Millisecond || d > gap+25*time.Millisecond {
						t.Errorf("request %d: gap %d is %v, want about %v", rec.Index, i, d, gap)
					}
				}
			}
		})
	}
}
