package state

import "io/fs"

// foreignOwner is not checked on Windows, where access is by ACL, not by
// owner and mode bits (see checkShared).
func foreignOwner(fs.FileInfo) (uid int, foreign bool) { return 0, false }

// ownedByMe is never asked on Windows, whose default directory did not
// change (see FormerDirs).
func ownedByMe(fs.FileInfo) bool { return false }
