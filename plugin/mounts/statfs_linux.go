package mounts

import "golang.org/x/sys/unix"

func sysStatfs(path string) (Stats, error) {
	var st unix.Statfs_t
	for {
		err := unix.Statfs(path, &st)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return Stats{}, err
		}
		break
	}
	bs := uint64(st.Frsize)
	if bs == 0 {
		bs = uint64(st.Bsize)
	}
	return Stats{
		BlockSize: bs,
		Blocks:    st.Blocks,
		Free:      st.Bfree,
		Avail:     st.Bavail,
		Files:     st.Files,
		FilesFree: st.Ffree,
	}, nil
}

// Supported reports whether Read and Stat work on this system.
const Supported = true
