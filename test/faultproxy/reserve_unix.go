//go:build linux || darwin

package faultproxy

import (
	"net"
	"strconv"
	"syscall"
)

// reserve binds a TCP socket to addr without listening on it: the kernel
// answers every connection attempt with RST (ECONNREFUSED) and does not hand
// the port to listeners asking for a free one while the proxy refuses.
// SO_REUSEADDR lets the bind succeed next to the proxy's closed connections
// still in TIME_WAIT on that port.
func reserve(addr string) (func(), error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return nil, err
	}
	ip := net.ParseIP(host).To4()
	if ip == nil {
		return nil, &net.AddrError{Err: "not an IPv4 address", Addr: addr}
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		return nil, err
	}
	_ = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	sa := &syscall.SockaddrInet4{Port: p}
	copy(sa.Addr[:], ip)
	if err := syscall.Bind(fd, sa); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	return func() { syscall.Close(fd) }, nil
}
