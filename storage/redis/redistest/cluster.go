package redistest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Cluster is a Redis Cluster of three masters, each serving a third of the
// hash slots, on private ports.
type Cluster struct {
	nodes []*Server
	buses []int
}

// Addr returns one node's address, a seed for cluster clients.
func (c *Cluster) Addr() string { return c.nodes[0].addr }

// URL returns the redis+cluster:// URL of the cluster (one seed; clients
// find the other nodes).
func (c *Cluster) URL() string { return "redis+cluster://" + c.nodes[0].addr }

// Addrs returns every node's address.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = n.addr
	}
	return out
}

// StartCluster3 starts three redis-servers in cluster mode, gives each a
// third of the slots, introduces them to each other (as redis-cli
// --cluster create does) and waits until every node reports the cluster
// ok. They are stopped when tb ends; it skips or fails tb without
// redis-server as Start does.
func StartCluster3(tb testing.TB) *Cluster {
	tb.Helper()
	c := &Cluster{}
	for range 3 {
		var bus int
		s := start(tb, func() ([]string, error) {
			var err error
			if bus, err = freePort(); err != nil {
				return nil, err
			}
			return []string{
				"--cluster-enabled", "yes",
				"--cluster-config-file", "nodes.conf", // in --dir, one per node
				"--cluster-port", strconv.Itoa(bus),
				"--cluster-announce-ip", "127.0.0.1",
				"--cluster-node-timeout", "2000",
			}, nil
		})
		c.nodes = append(c.nodes, s)
		c.buses = append(c.buses, bus)
	}
	ranges := [][2]int{{0, 5460}, {5461, 10922}, {10923, 16383}}
	for i, n := range c.nodes {
		if _, err := command(n.addr, "CLUSTER", "ADDSLOTSRANGE", strconv.Itoa(ranges[i][0]), strconv.Itoa(ranges[i][1])); err != nil {
			tb.Fatalf("redistest: assign slots to node %d: %v", i, err)
		}
	}
	for i := 1; i < len(c.nodes); i++ {
		_, port, _ := strings.Cut(c.nodes[i].addr, ":")
		if _, err := command(c.nodes[0].addr, "CLUSTER", "MEET", "127.0.0.1", port, strconv.Itoa(c.buses[i])); err != nil {
			tb.Fatalf("redistest: introduce node %d: %v", i, err)
		}
	}
	deadline := time.Now().Add(4 * startTimeout)
	for _, n := range c.nodes {
		for {
			info, err := command(n.addr, "CLUSTER", "INFO")
			if err == nil && strings.Contains(info, "cluster_state:ok") && strings.Contains(info, "cluster_known_nodes:3") {
				break
			}
			if time.Now().After(deadline) {
				tb.Fatalf("redistest: cluster not ready (last reply %q, err %v)", info, err)
			}
			time.Sleep(20 * time.Millisecond) // polling interval
		}
	}
	return c
}

// String describes the cluster, for logs.
func (c *Cluster) String() string { return fmt.Sprintf("cluster of %v", c.Addrs()) }
