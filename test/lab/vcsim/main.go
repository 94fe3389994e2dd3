// vCenter simulator for the lab: govmomi's VPX model (or, with -esx, a standalone ESXi host) served
// over HTTPS on a fixed address with one login.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	listen := flag.String("listen", "198.18.0.40:443", "host:port to serve HTTPS on")
	user := flag.String("username", "", "the only accepted login name (empty: any non-empty login)")
	pass := flag.String("password", "", "password for -username (or VCSIM_PASSWORD, which keeps it out of process lists)")
	certFile := flag.String("cert", "", "PEM certificate (empty: govmomi's built-in localhost certificate)")
	keyFile := flag.String("key", "", "PEM private key for -cert")
	esx := flag.Bool("esx", false, "serve a standalone ESXi host (HostAgent) instead of a vCenter")
	flag.Parse()
	if *pass == "" {
		*pass = os.Getenv("VCSIM_PASSWORD")
	}

	model := simulator.VPX()
	model.Datacenter = 1
	model.Cluster = 1
	model.ClusterHost = 2
	model.Host = 1
	model.Machine = 2
	model.Datastore = 1
	if *esx {
		model = simulator.ESX()
	}
	if err := model.Create(); err != nil {
		log.Fatalf("vcsim: create model: %v", err)
	}
	defer model.Remove()

	cfg := new(tls.Config)
	if *certFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			log.Fatalf("vcsim: load certificate: %v", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	model.Service.TLS = cfg
	u := &url.URL{Host: *listen}
	if *user != "" {
		u.User = url.UserPassword(*user, *pass)
	}
	model.Service.Listen = u

	server := model.Service.NewServer()
	defer server.Close()
	fmt.Printf("vcsim: serving %s://%s/sdk\n", server.URL.Scheme, server.URL.Host)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
}
