// Package metricsnginx is the metrics-nginx plugin: it reads nginx's
// stub_status page and prints connection, request and queue metrics.
package metricsnginx
