package checkntpoffset

import (
	"errors"
	"time"

	"golang.org/x/sys/unix"
)

// kernelClock reads the kernel's clock discipline (adjtimex), which every
// NTP daemon feeds — systemd-timesyncd included, which has no query tool:
// the offset still being corrected and whether the clock is synchronised.
func kernelClock() (Reading, error) {
	r := Reading{Source: "kernel"}
	var tx unix.Timex
	state, err := unix.Adjtimex(&tx)
	if err != nil {
		return r, errors.New("the kernel's clock state cannot be read: " + err.Error())
	}
	unit := time.Microsecond
	if tx.Status&unix.STA_NANO != 0 {
		unit = time.Nanosecond
	}
	// The offset adjtimex reports is what the kernel still has to add
	// to the clock: the reference's time minus ours.
	r.Offset = time.Duration(tx.Offset) * unit
	if state == unix.TIME_ERROR || tx.Status&unix.STA_UNSYNC != 0 {
		r.Unsynced = "the kernel says the clock is not synchronised (no NTP daemon disciplines it)"
	}
	return r, nil
}
