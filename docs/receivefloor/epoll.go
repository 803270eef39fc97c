//go:build ignore

// Command epoll is receivefloor (main.go, next to it) without Go's network
// poller: one thread waits in epoll_wait and reads each ready connection
// with read(2). Its CPU time per event is what receiving one TCP segment
// per event costs the kernel, with the least user-space work around it.
// Linux only.
//
//	infermark mock --addr 127.0.0.1:18111 --ttft 200ms --itl 20ms &
//	go run docs/receivefloor/epoll.go -port 18111 -streams 256
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

func main() {
	port := flag.Int("port", 18111, "port of the mock on 127.0.0.1")
	streams := flag.Int("streams", 256, "concurrent connections")
	rounds := flag.Int("rounds", 4, "requests per connection")
	tokens := flag.Int("tokens", 64, "output tokens per request")
	flag.Parse()
	runtime.LockOSThread()

	body := `{"model":"mock-model","prompt":"floor","max_tokens":` + strconv.Itoa(*tokens) + `,"stream":true,"ignore_eos":true}`
	request := []byte("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body)

	epfd, err := syscall.EpollCreate1(0)
	if err != nil {
		log.Fatal(err)
	}
	left := map[int]int{} // requests still to send, by connection
	for range *streams {
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
		if err != nil {
			log.Fatal(err)
		}
		if err := syscall.Connect(fd, &syscall.SockaddrInet4{Port: *port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
			log.Fatal(err)
		}
		syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
		syscall.SetNonblock(fd, true)
		if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, fd, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}); err != nil {
			log.Fatal(err)
		}
		left[fd] = *rounds
	}

	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	start := time.Now()
	for fd := range left {
		syscall.Write(fd, request)
	}
	buf := make([]byte, 4096)
	ready := make([]syscall.EpollEvent, 512)
	events := 0
	for len(left) > 0 {
		n, err := syscall.EpollWait(epfd, ready, -1)
		if err != nil {
			continue // EINTR
		}
		for _, e := range ready[:n] {
			fd := int(e.Fd)
			k, err := syscall.Read(fd, buf)
			if err != nil || k <= 0 {
				continue
			}
			events += bytes.Count(buf[:k], []byte("\n\n"))
			if !bytes.Contains(buf[:k], []byte("[DONE]")) {
				continue
			}
			left[fd]--
			if left[fd] > 0 {
				syscall.Write(fd, request)
				continue
			}
			delete(left, fd)
			syscall.Close(fd)
		}
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	user := time.Duration(after.Utime.Nano() - before.Utime.Nano())
	cpu := user + time.Duration(after.Stime.Nano()-before.Stime.Nano())
	fmt.Printf("%d events in %v, CPU %v (user %v): %.2f µs per event\n",
		events, time.Since(start).Round(time.Millisecond), cpu.Round(time.Millisecond), user.Round(time.Millisecond),
		float64(cpu.Nanoseconds())/1e3/float64(events))
}
