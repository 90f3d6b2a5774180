package checkdisk

// ConformanceArgs checks only the root file system in the conformance
// suite's sample run, so that an odd mount of the test machine (a FUSE
// mount of another user, which statfs may refuse) cannot make it fail.
func (o *options) ConformanceArgs(string) ([]string, func(), error) {
	return []string{"-p", "/"}, func() {}, nil
}
