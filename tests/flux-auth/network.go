package main

// The clouds as Flux's code reaches them. Every HTTP(S) connection the process opens through Go's
// default transport (which Flux's auth options clone for every client they build) is dialled to one
// in-process server instead of the network; it answers as the cloud endpoint named in the request's
// Host would, deciding each exchange by the cloud's rules against plan.json. Nothing leaves the machine:
// a host no handler knows gets a 404 naming it.

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Exchange is one request Flux's code made to a cloud endpoint and what the fake cloud answered.
type Exchange struct {
	Service string `json:"service"`
	Detail  string `json:"detail"`
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason,omitempty"`
}

type route struct {
	host    *regexp.Regexp
	handler func(w http.ResponseWriter, r *http.Request, form url.Values)
}

// Network is the fake cloud endpoint of one judge worker.
type Network struct {
	srv    *httptest.Server
	routes []route
	mu     sync.Mutex
	log    []Exchange
	seq    int
}

func newNetwork() *Network {
	n := &Network{}
	n.srv = httptest.NewServer(http.HandlerFunc(n.serve))
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", n.srv.Listener.Addr().String())
	}
	// Flux's auth options clone http.DefaultTransport; the clone keeps these dialers. TLS is "already
	// done" on the returned connection, so HTTPS requests travel as plain HTTP to the fake endpoint.
	http.DefaultTransport = &http.Transport{
		DialContext:         dial,
		DialTLSContext:      dial,
		MaxIdleConns:        10,
		IdleConnTimeout:     10 * time.Second,
		TLSHandshakeTimeout: 5 * time.Second,
	}
	return n
}

// addr is the fake endpoint's loopback address (host:port), for endpoints a pod reaches by a
// link-local address (instance metadata, the EKS Pod Identity Agent) that Go clients dial directly.
func (n *Network) addr() string { return n.srv.Listener.Addr().String() }

func (n *Network) handle(hostPattern string, h func(w http.ResponseWriter, r *http.Request, form url.Values)) {
	n.routes = append(n.routes, route{regexp.MustCompile("^(?:" + hostPattern + ")$"), h})
}

func (n *Network) record(e Exchange) {
	n.mu.Lock()
	n.log = append(n.log, e)
	n.mu.Unlock()
}

// take returns and clears the exchanges recorded since the last call.
func (n *Network) take() []Exchange {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.log
	n.log = nil
	return out
}

func (n *Network) next() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.seq++
	return n.seq
}

func (n *Network) serve(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	form, _ := url.ParseQuery(string(body))
	if r.Header.Get("Metadata-Flavor") == "Google" || strings.HasPrefix(r.URL.Path, "/computeMetadata/") {
		host = "metadata.google.internal"
	}
	for _, rt := range n.routes {
		if rt.host.MatchString(host) {
			rt.handler(w, r, form)
			return
		}
	}
	n.record(Exchange{Service: "unknown", Detail: r.Method + " " + r.Host + r.URL.Path, Reason: "no such endpoint in the judge's clouds"})
	http.Error(w, fmt.Sprintf("the judge's clouds have no endpoint %s%s", r.Host, r.URL.Path), http.StatusNotFound)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeXML(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(v)
}
