package metricsdocker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/teko-dev/teko/plugin/netclient"
)

// engine talks to the Docker Engine API: over a unix socket
// (unix:///var/run/docker.sock) or TCP (tcp://HOST:PORT, http://,
// https://), with plain HTTP requests through netclient, so that every
// call ends within the run's deadline and its errors name the socket.
type engine struct {
	client *netclient.HTTP
	base   string // "http://docker" for a socket, else the scheme and host
}

// Bodies larger than these are refused rather than read whole: a list of
// a few thousand containers, one container's stats with many devices.
const (
	maxListBody  = 64 << 20
	maxStatsBody = 16 << 20
)

// newEngine reads -host as go-dockerclient (the original's library) does:
// unix://PATH, tcp://HOST:PORT (plain HTTP), http:// and https://.
func newEngine(host string) (*engine, error) {
	u, err := url.Parse(host)
	if err != nil || u.Scheme == "" {
		return nil, fmt.Errorf("-host %q: want unix:///PATH/docker.sock or tcp://HOST:PORT", host)
	}
	switch u.Scheme {
	case "unix":
		path := u.Path
		if path == "" {
			path = u.Opaque
		}
		if u.Host != "" || path == "" {
			return nil, fmt.Errorf("-host %q: a socket is written unix:///PATH (three slashes)", host)
		}
		return &engine{client: &netclient.HTTP{Socket: path, NoProxy: true}, base: "http://docker"}, nil
	case "tcp", "http", "https":
		if u.Host == "" {
			return nil, fmt.Errorf("-host %q: no host", host)
		}
		scheme := u.Scheme
		if scheme == "tcp" {
			scheme = "http"
		}
		return &engine{client: &netclient.HTTP{}, base: scheme + "://" + u.Host}, nil
	case "npipe":
		return nil, fmt.Errorf("-host %q: Windows named pipes are not supported; expose the engine on tcp://", host)
	default:
		return nil, fmt.Errorf("-host %q: scheme %q is not unix, tcp, http or https", host, u.Scheme)
	}
}

// container is what the list gives of a running container.
type container struct {
	ID      string            `json:"Id"`
	Names   []string          `json:"Names"`
	Image   string            `json:"Image"`
	Labels  map[string]string `json:"Labels"`
	Created int64             `json:"Created"`
}

// name is the container's own name without the leading slash, as the
// original took it from Names[0].
func (c container) name() string {
	if len(c.Names) == 0 {
		return ""
	}
	return strings.Replace(c.Names[0], "/", "", 1)
}

// apiError is the {"message": …} body the engine sends with an error
// status.
type apiError struct {
	Message string `json:"message"`
}

// get requests path and decodes a 200 answer's JSON body into v.
func (e *engine) get(ctx context.Context, path string, max int64, v any) (status int, err error) {
	req, err := http.NewRequest(http.MethodGet, e.base+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/json")
	client := *e.client
	client.MaxBody = max
	resp, err := client.Do(ctx, req)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		var ae apiError
		if json.Unmarshal(resp.Body, &ae) == nil && ae.Message != "" {
			return resp.StatusCode, resp.Errorf("%s: %s", resp.Status, oneLine(ae.Message, 200))
		}
		return resp.StatusCode, resp.Errorf("%s", resp.Status)
	}
	if resp.Truncated {
		return resp.StatusCode, resp.Errorf("answer larger than %d bytes", max)
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return resp.StatusCode, resp.Errorf("not the Docker Engine API's JSON (%v): %q", err, oneLine(string(resp.Body), 80))
	}
	return resp.StatusCode, nil
}

// oneLine shortens s to one line of at most n bytes for a message.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// list returns the running containers.
func (e *engine) list(ctx context.Context) ([]container, error) {
	var cs []container
	if _, err := e.get(ctx, "/containers/json", maxListBody, &cs); err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.ID == "" {
			return nil, errors.New("the container list has a container without an Id: not the Docker Engine API")
		}
	}
	return cs, nil
}

// stats is the part of /containers/{id}/stats the plugin uses.
type stats struct {
	Read     time.Time `json:"read"`
	CPUStats struct {
		CPUUsage struct {
			PercpuUsage       []uint64 `json:"percpu_usage"`
			UsageInKernelmode uint64   `json:"usage_in_kernelmode"`
			UsageInUsermode   uint64   `json:"usage_in_usermode"`
		} `json:"cpu_usage"`
		SystemCPUUsage uint64 `json:"system_cpu_usage"`
		OnlineCPUs     uint32 `json:"online_cpus"`
	} `json:"cpu_stats"`
	MemoryStats struct {
		Stats map[string]uint64 `json:"stats"`
	} `json:"memory_stats"`
	BlkioStats struct {
		IOServiceBytesRecursive []blkioEntry `json:"io_service_bytes_recursive"`
		IOServicedRecursive     []blkioEntry `json:"io_serviced_recursive"`
		IOQueueRecursive        []blkioEntry `json:"io_queue_recursive"`
	} `json:"blkio_stats"`
}

type blkioEntry struct {
	Major uint64 `json:"major"`
	Minor uint64 `json:"minor"`
	Op    string `json:"op"`
	Value uint64 `json:"value"`
}

// errGone means the container is no longer running: it was removed
// (404) or stopped (the engine then answers with empty stats) after the
// list was read.
var errGone = errors.New("no longer running")

// stats reads one sample of a container's numbers. one-shot asks the
// engine (API 1.41 and later; older ones ignore it) not to wait for a
// second sample: the plugin compares with its own previous run instead.
func (e *engine) stats(ctx context.Context, id string) (*stats, error) {
	var s stats
	status, err := e.get(ctx, "/containers/"+url.PathEscape(id)+"/stats?stream=false&one-shot=true", maxStatsBody, &s)
	switch {
	case status == http.StatusNotFound:
		return nil, errGone
	case err != nil:
		return nil, err
	case s.Read.IsZero():
		return nil, errGone
	}
	return &s, nil
}
