package mounts

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Stats are the numbers statfs(2) gives for a file system, in blocks of
// BlockSize bytes (the fragment size, f_frsize) and in inodes.
type Stats struct {
	BlockSize uint64
	Blocks    uint64 // f_blocks: the size
	Free      uint64 // f_bfree: free blocks, root's reserve included
	Avail     uint64 // f_bavail: free blocks an unprivileged user may use
	Files     uint64 // f_files: inodes, 0 where the file system has no fixed count (btrfs)
	FilesFree uint64 // f_ffree: free inodes
}

// Usage is one mount's Stats, or the error that kept them from being read.
type Usage struct {
	Mount Mount
	Stats
	// Err is a *StatError when the mount could not be read in time or at
	// all; the Stats are then zero.
	Err error
}

// Total returns the size in bytes.
func (u Usage) Total() uint64 { return u.Blocks * u.BlockSize }

// Used returns the bytes in use: the size minus the free blocks (df's
// "Used").
func (u Usage) Used() uint64 { return (u.Blocks - min(u.Free, u.Blocks)) * u.BlockSize }

// Available returns the bytes an unprivileged user may still write (df's
// "Available"): the free blocks minus root's reserve.
func (u Usage) Available() uint64 { return u.Avail * u.BlockSize }

// UsedPercent returns df's "Use%" unrounded: Used/(Used+Available)*100,
// which reaches 100 when users can write no more, though root's reserve
// is still free. A file system with no blocks gives 0.
func (u Usage) UsedPercent() float64 {
	used, avail := float64(u.Used()), float64(u.Available())
	if used+avail == 0 {
		return 0
	}
	return used * 100 / (used + avail)
}

// InodesUsed returns the inodes in use.
func (u Usage) InodesUsed() uint64 { return u.Files - min(u.FilesFree, u.Files) }

// HasInodes reports whether the file system has a fixed number of inodes
// (btrfs and some others report 0, meaning "as many as space allows").
func (u Usage) HasInodes() bool { return u.Files > 0 }

// InodesUsedPercent returns the inodes in use as a percentage of all
// inodes (df -i's "IUse%" unrounded), and 0 when HasInodes is false.
func (u Usage) InodesUsedPercent() float64 {
	if u.Files == 0 {
		return 0
	}
	return float64(u.InodesUsed()) * 100 / float64(u.Files)
}

// StatError is why one mount's usage is missing.
type StatError struct {
	Point string // the mount point
	Type  string // its file system type
	// Timeout is set when statfs did not return within the deadline (a
	// hung network or FUSE mount).
	Timeout bool
	Err     error
}

func (e *StatError) Error() string {
	if e.Timeout {
		return fmt.Sprintf("%s (%s): %v", e.Point, e.Type, e.Err)
	}
	return fmt.Sprintf("%s (%s): statfs: %v", e.Point, e.Type, e.Err)
}

func (e *StatError) Unwrap() error { return e.Err }

// ErrUnsupported is returned where this package cannot read mounts or
// their usage (any system but Linux).
var ErrUnsupported = errors.New("mount table and statfs are only supported on Linux")

// DefaultTimeout is Options.Timeout's default: how long one mount may
// take to answer statfs.
const DefaultTimeout = 3 * time.Second

// Options tune Stat. The zero value uses the system's statfs and
// DefaultTimeout.
type Options struct {
	// Timeout is how long each mount may take; zero means
	// DefaultTimeout. All mounts are asked at once, so a run takes about
	// one Timeout however many mounts hang.
	Timeout time.Duration
	// Statfs replaces the system call, for tests (a mount that hangs).
	Statfs func(path string) (Stats, error)
	// Parallel is how many statfs calls run at once; zero means 8.
	Parallel int
}

// Stat returns the usage of each mount, in the order given. A mount that
// fails or does not answer within o.Timeout, or before ctx ends, gets an
// Err (a *StatError naming it) instead; the others are unaffected.
func Stat(ctx context.Context, ms []Mount, o Options) []Usage {
	statfs := o.Statfs
	if statfs == nil {
		statfs = sysStatfs
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	par := o.Parallel
	if par <= 0 {
		par = 8
	}
	out := make([]Usage, len(ms))
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, m := range ms {
		out[i].Mount = m
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i].Stats, out[i].Err = statOne(ctx, m, statfs, timeout, sem)
		}()
	}
	wg.Wait()
	return out
}

// statOne runs statfs for m in its own goroutine and waits at most
// timeout for it, the wait for a free slot included.
func statOne(ctx context.Context, m Mount, statfs func(string) (Stats, error), timeout time.Duration, sem chan struct{}) (Stats, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case sem <- struct{}{}:
	case <-timer.C:
		return Stats{}, &StatError{Point: m.Point, Type: m.Type, Timeout: true, Err: fmt.Errorf("not asked within %v: every statfs slot is held by a hung mount", timeout)}
	case <-ctx.Done():
		return Stats{}, &StatError{Point: m.Point, Type: m.Type, Timeout: true, Err: fmt.Errorf("statfs did not answer: %w", context.Cause(ctx))}
	}
	type answer struct {
		s   Stats
		err error
	}
	done := make(chan answer, 1)
	go func() {
		s, err := statfs(m.Point)
		<-sem // a hung call keeps its slot: at most Parallel threads stuck
		done <- answer{s, err}
	}()
	select {
	case a := <-done:
		if a.err != nil {
			return Stats{}, &StatError{Point: m.Point, Type: m.Type, Err: a.err}
		}
		return a.s, nil
	case <-timer.C:
		return Stats{}, &StatError{Point: m.Point, Type: m.Type, Timeout: true, Err: fmt.Errorf("statfs did not answer within %v (a hung mount?)", timeout)}
	case <-ctx.Done():
		return Stats{}, &StatError{Point: m.Point, Type: m.Type, Timeout: true, Err: fmt.Errorf("statfs did not answer: %w", context.Cause(ctx))}
	}
}
