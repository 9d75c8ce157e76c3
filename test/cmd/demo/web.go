package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"
)

// page is the sign-in page of web/, served on an origin other than the
// API's so that the browser applies CORS to every call.
type page struct {
	ln     net.Listener
	origin string // http://127.0.0.1:PORT, the API's cors.allow_origin
}

// listenPage takes the page's port first: its origin goes into the stack.
func listenPage(addr string) (*page, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("port taken: the sign-in page cannot listen on %s (%v); run with DEMO_WEB_LISTEN=127.0.0.1:8082 or stop what uses it", addr, err)
	}
	return &page{ln: ln, origin: "http://" + ln.Addr().String()}, nil
}

// pageConfig is web/config.json: where the API and Cognito are. Locally the
// page signs in with Cognito's InitiateAuth (USER_PASSWORD_AUTH) straight
// against moto, which accepts unsigned calls with CORS, as Cognito does.
type pageConfig struct {
	API     string `json:"api"`
	SignIn  string `json:"signIn"`
	Cognito struct {
		Endpoint string `json:"endpoint"`
		ClientID string `json:"clientId"`
	} `json:"cognito"`
}

// serve serves the page's three files and its config; nothing else of web/.
func (p *page) serve(webDir string, cfg pageConfig) *http.Server {
	conf, _ := json.Marshal(cfg) // strings only: cannot fail
	files := map[string]string{"/": "index.html", "/index.html": "index.html", "/app.js": "app.js", "/style.css": "style.css"}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.URL.Path == "/config.json" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(conf)
			return
		}
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, filepath.Join(webDir, f))
	})
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(p.ln) }()
	return hs
}
