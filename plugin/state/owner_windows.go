package state

import "io/fs"

// foreignOwner is not checked on Windows, where access is by ACL, not by
// owner and mode bits (see checkShared).
func foreignOwner(fs.FileInfo) (uid int, foreign bool) { return 0, false }
