// Reference for bench/vcenter-inventory.ts: the same inventory read with govmomi's own client (the
// library govc is built on; Debian packages no govc binary). Same ContainerView, same property
// paths (given as JSON on stdin), same page size; values decoded into govmomi's typed structs.
// Prints one JSON line: {"ms":…,"roundTrips":…,"objects":…}.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

type spec struct {
	Type  string   `json:"type"`
	Paths []string `json:"paths"`
}

func main() {
	u := flag.String("url", "", "https://user:password@host:port/sdk")
	page := flag.Int("page", 250, "maxObjects per page")
	flag.Parse()
	var kinds [][]spec
	var viewTypes []string
	in := struct {
		Kinds     [][]spec `json:"kinds"`
		ViewTypes []string `json:"viewTypes"`
	}{}
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fail(err)
	}
	kinds, viewTypes = in.Kinds, in.ViewTypes
	ctx := context.Background()
	parsed, err := url.Parse(*u)
	if err != nil {
		fail(err)
	}
	start := time.Now()
	trips := 0
	c, err := govmomi.NewClient(ctx, parsed, true) // RetrieveServiceContent + Login
	if err != nil {
		fail(err)
	}
	trips += 2
	m := view.NewManager(c.Client)
	v, err := m.CreateContainerView(ctx, c.ServiceContent.RootFolder, viewTypes, true)
	if err != nil {
		fail(err)
	}
	trips++
	objects := 0
	for _, k := range kinds {
		var props []types.PropertySpec
		for _, s := range k {
			props = append(props, types.PropertySpec{Type: s.Type, PathSet: s.Paths})
		}
		req := types.RetrievePropertiesEx{
			This: c.ServiceContent.PropertyCollector,
			SpecSet: []types.PropertyFilterSpec{{
				PropSet: props,
				ObjectSet: []types.ObjectSpec{{
					Obj:  v.Reference(),
					Skip: types.NewBool(true),
					SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{
						Type: "ContainerView", Path: "view", Skip: types.NewBool(false),
					}},
				}},
			}},
			Options: types.RetrieveOptions{MaxObjects: int32(*page)},
		}
		res, err := methods.RetrievePropertiesEx(ctx, c.Client, &req)
		if err != nil {
			fail(err)
		}
		trips++
		if res.Returnval == nil {
			continue
		}
		objects += len(res.Returnval.Objects)
		token := res.Returnval.Token
		for i := 0; token != "" && i < 100000; i++ {
			next, err := methods.ContinueRetrievePropertiesEx(ctx, c.Client, &types.ContinueRetrievePropertiesEx{
				This: c.ServiceContent.PropertyCollector, Token: token,
			})
			if err != nil {
				fail(err)
			}
			trips++
			objects += len(next.Returnval.Objects)
			token = next.Returnval.Token
		}
	}
	_ = v.Destroy(ctx)
	_ = c.Logout(ctx)
	trips += 2
	fmt.Printf("{\"ms\":%.1f,\"roundTrips\":%d,\"objects\":%d}\n", float64(time.Since(start).Microseconds())/1000, trips, objects)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "vcenter-reference:", err)
	os.Exit(1)
}
