package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// startAcme serves a demo Acme API on a free loopback port: 30 ms to the
// first token, then one word every 3 ms. It returns the base URL and a
// function that stops the server.
func startAcme() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/generate", serveGenerate)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

func serveGenerate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Text  string `json:"text"`
		Limit int    `json:"limit"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Limit < 1 {
		http.Error(w, `{"what":"bad request"}`, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	start := time.Now()
	for i := range req.Limit {
		time.Sleep(time.Until(start.Add(30*time.Millisecond + time.Duration(i)*3*time.Millisecond)))
		fmt.Fprintf(w, "event: token\ndata: {\"t\":\" word%d\"}\n\n", i)
		w.(http.Flusher).Flush()
	}
	fmt.Fprintf(w, "event: end\ndata: {\"reason\":\"limit\",\"tokens_in\":%d,\"tokens_out\":%d}\n\n",
		len(strings.Fields(req.Text)), req.Limit)
}
