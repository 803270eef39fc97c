//go:build ignore

// Command receivefloor measures what receiving a token stream costs a Go
// process with nothing else to do. It opens N connections to a server
// started with "infermark mock" and sends each a streaming completions
// request four times in a row. It counts events without parsing them, so
// its CPU time per event is the floor under any Go client on the machine.
//
//	infermark mock --addr 127.0.0.1:18111 --ttft 200ms --itl 20ms &
//	go run docs/receivefloor/main.go -addr 127.0.0.1:18111 -streams 256
//
// epoll.go, next to it, does the same without Go's network poller.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18111", "address of the mock, on loopback")
	streams := flag.Int("streams", 256, "concurrent connections")
	rounds := flag.Int("rounds", 4, "requests per connection")
	tokens := flag.Int("tokens", 64, "output tokens per request")
	flag.Parse()

	body := `{"model":"mock-model","prompt":"floor","max_tokens":` + strconv.Itoa(*tokens) + `,"stream":true,"ignore_eos":true}`
	request := []byte("POST /v1/completions HTTP/1.1\r\nHost: " + *addr + "\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body)

	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	start := time.Now()
	var events atomic.Int64
	var wg sync.WaitGroup
	for range *streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := net.Dial("tcp", *addr)
			if err != nil {
				log.Fatal(err)
			}
			defer conn.Close()
			buf := make([]byte, 4096)
			for range *rounds {
				if _, err := conn.Write(request); err != nil {
					log.Fatal(err)
				}
				for done := false; !done; {
					n, err := conn.Read(buf)
					if err != nil {
						log.Fatal(err)
					}
					events.Add(int64(bytes.Count(buf[:n], []byte("\n\n"))))
					done = bytes.Contains(buf[:n], []byte("[DONE]"))
				}
			}
		}()
	}
	wg.Wait()
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano() - before.Utime.Nano() + after.Stime.Nano() - before.Stime.Nano())
	n := events.Load()
	fmt.Printf("%d events in %v, CPU %v (user + system): %.2f µs per event\n",
		n, time.Since(start).Round(time.Millisecond), cpu.Round(time.Millisecond), float64(cpu.Nanoseconds())/1e3/float64(n))
}
