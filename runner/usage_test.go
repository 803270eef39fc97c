package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRejectedStreamOptionsFallBack(t *testing.T) {
	t.Parallel()
	// A strict server that rejects stream_options with the fixture's body.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req map[string]any
		json.Unmarshal(body, &req)
		if _, ok := req["stream_options"]; ok {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"message":"unknown parameter: stream_options","type":"invalid_request_error","param":"stream_options"}}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Morning fog\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	cell := testCell(t, srv.URL)
	cell.Target.Name = "strict"
	cell.Concurrency, cell.Requests = 1, 3

	res, err := testRunner(1).RunCell(context.Background(), cell)
	if err != nil {
		t.Fatal(err)
	}
	// The rejected first request goes once more without stream_options.
	first := res.Records[0]
	if !first.OK() || first.Attempts != 2 || len(first.RetriedStatuses) != 1 || first.RetriedStatuses[0] != "400 Bad Request" {
		t.Errorf("first request: ok %v, attempts %d, retried %q; want a success on the second attempt after 400 Bad Request",
			first.OK(), first.Attempts, first.RetriedStatuses)
	}
	for _, rec := range res.Records[1:] {
		if rec.Attempts != 1 {
			t.Errorf("request %d: %d attempts, want 1: later requests must go without stream_options", rec.Index, rec.Attempts)
		}
	}
	for _, rec := range res.Records {
		if !rec.OK() || rec.Usage || rec.ClientOutputTokens != 2 {
			t.Errorf("request %d: ok %v, usage %v, client tokens %d; want success without usage and 2 tokenizer tokens",
				rec.Index, rec.OK(), rec.Usage, rec.ClientOutputTokens)
		}
	}
}
