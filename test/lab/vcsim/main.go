// vCenter simulator for the lab: govmomi's VPX model (or, with -esx, a standalone ESXi host) served
// over HTTPS on a fixed address with one login. The size flags default to the lab's model; tests
// and benchmarks pass larger ones. The PropertyCollector is wrapped to page RetrievePropertiesEx by
// maxObjects (token + ContinueRetrievePropertiesEx), as vCenter does and govmomi 0.24's does not.
package main

import (
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// pagingCollector is the simulator's PropertyCollector with vim25 paging. The simulator makes one
// zero-valued copy per session (by reflection), so the pages live in that copy.
type pagingCollector struct {
	simulator.PropertyCollector

	pagesMu sync.Mutex
	pages   map[string]pending
	next    int
}

// pending is what a token still holds, and the page size of the retrieve that made it.
type pending struct {
	rest []types.ObjectContent
	max  int32
}

// page keeps what follows the first max objects under a new token.
func (pc *pagingCollector) page(objects []types.ObjectContent, max int32) ([]types.ObjectContent, string) {
	if max <= 0 || len(objects) <= int(max) {
		return objects, ""
	}
	pc.pagesMu.Lock()
	defer pc.pagesMu.Unlock()
	if pc.pages == nil {
		pc.pages = map[string]pending{}
	}
	pc.next++
	token := strconv.Itoa(pc.next)
	pc.pages[token] = pending{rest: objects[max:], max: max}
	return objects[:max], token
}

func (pc *pagingCollector) RetrievePropertiesEx(ctx *simulator.Context, r *types.RetrievePropertiesEx) soap.HasFault {
	res := pc.PropertyCollector.RetrievePropertiesEx(ctx, r)
	body, ok := res.(*methods.RetrievePropertiesExBody)
	if !ok || body.Res == nil || body.Res.Returnval == nil {
		return res
	}
	rv := body.Res.Returnval
	rv.Objects, rv.Token = pc.page(rv.Objects, r.Options.MaxObjects)
	return body
}

func (pc *pagingCollector) ContinueRetrievePropertiesEx(r *types.ContinueRetrievePropertiesEx) soap.HasFault {
	body := &methods.ContinueRetrievePropertiesExBody{}
	pc.pagesMu.Lock()
	p, ok := pc.pages[r.Token]
	delete(pc.pages, r.Token)
	pc.pagesMu.Unlock()
	if !ok {
		body.Fault_ = simulator.Fault("unknown token", &types.InvalidArgument{InvalidProperty: "token"})
		return body
	}
	objects, token := pc.page(p.rest, p.max)
	body.Res = &types.ContinueRetrievePropertiesExResponse{
		Returnval: types.RetrieveResult{Token: token, Objects: objects},
	}
	return body
}

func (pc *pagingCollector) CancelRetrievePropertiesEx(r *types.CancelRetrievePropertiesEx) soap.HasFault {
	pc.pagesMu.Lock()
	delete(pc.pages, r.Token)
	pc.pagesMu.Unlock()
	return &methods.CancelRetrievePropertiesExBody{Res: new(types.CancelRetrievePropertiesExResponse)}
}

func main() {
	listen := flag.String("listen", "198.18.0.40:443", "host:port to serve HTTPS on")
	user := flag.String("username", "", "the only accepted login name (empty: any non-empty login)")
	pass := flag.String("password", "", "password for -username (or VCSIM_PASSWORD, which keeps it out of process lists)")
	certFile := flag.String("cert", "", "PEM certificate (empty: govmomi's built-in localhost certificate)")
	keyFile := flag.String("key", "", "PEM private key for -cert")
	esx := flag.Bool("esx", false, "serve a standalone ESXi host (HostAgent) instead of a vCenter")
	dc := flag.Int("dc", 1, "datacenters (vCenter model)")
	cluster := flag.Int("cluster", 1, "clusters per datacenter")
	clusterHost := flag.Int("host", 2, "hosts per cluster")
	standalone := flag.Int("standalone-host", 1, "standalone hosts per datacenter")
	vm := flag.Int("vm", 2, "VMs per standalone host and per cluster root resource pool (ESXi: on the host)")
	ds := flag.Int("ds", 1, "local datastores per datacenter")
	pg := flag.Int("pg", 1, "distributed port groups per datacenter")
	pool := flag.Int("pool", 0, "child resource pools per cluster")
	folder := flag.Int("folder", 0, "datacenters placed in a folder")
	flag.Parse()
	if *pass == "" {
		*pass = os.Getenv("VCSIM_PASSWORD")
	}

	model := simulator.VPX()
	model.Datacenter = *dc
	model.Cluster = *cluster
	model.ClusterHost = *clusterHost
	model.Host = *standalone
	model.Machine = *vm
	model.Datastore = *ds
	model.Portgroup = *pg
	model.Pool = *pool
	model.Folder = *folder
	if *esx {
		model = simulator.ESX()
		model.Machine = *vm
		model.Datastore = *ds
	}
	if err := model.Create(); err != nil {
		log.Fatalf("vcsim: create model: %v", err)
	}
	defer model.Remove()

	pcRef := simulator.Map.Get(types.ManagedObjectReference{Type: "ServiceInstance", Value: "ServiceInstance"}).(*simulator.ServiceInstance).Content.PropertyCollector
	paged := &pagingCollector{}
	paged.Self = pcRef
	simulator.Map.Put(paged)

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

	// The simulator's own count of its inventory, for tests that compare a collection with it.
	count, _ := json.Marshal(model.Count())
	fmt.Printf("vcsim: model %s\n", count)

	server := model.Service.NewServer()
	defer server.Close()
	fmt.Printf("vcsim: serving %s://%s/sdk\n", server.URL.Scheme, server.URL.Host)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
}
