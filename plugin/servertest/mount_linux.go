package servertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// MountTmpfs mounts a fresh tmpfs of size bytes with at most inodes
// inodes (0: the kernel's default) on a new temporary directory and
// returns the mount point; it is unmounted when the test ends. Mounting
// needs root (CAP_SYS_ADMIN): where it is refused the test skips, naming
// the reason, or fails when TEKO_REQUIRE_SERVERS=1.
func MountTmpfs(t testing.TB, size uint64, inodes uint64) string {
	t.Helper()
	dir := mountDir(t, "tmpfs")
	data := fmt.Sprintf("size=%d,mode=0755", size)
	if inodes > 0 {
		data += fmt.Sprintf(",nr_inodes=%d", inodes)
	}
	if err := unix.Mount("teko-test", dir, "tmpfs", 0, data); err != nil {
		cannotMount(t, "tmpfs", err)
	}
	t.Cleanup(func() { unmount(t, dir) })
	return dir
}

// MountSquashfs packs the directory src into a squashfs image with
// mksquashfs (Debian package squashfs-tools) and loop-mounts it read-only
// on a new temporary directory, returned; it is unmounted when the test
// ends. Like MountTmpfs it skips or fails where mounting is refused.
func MountSquashfs(t testing.TB, src string) string {
	t.Helper()
	bin, err := Find("squashfs-tools", "mksquashfs")
	if err != nil {
		Unavailable(t, err)
	}
	img := filepath.Join(t.TempDir(), "image.squashfs")
	if out, err := exec.Command(bin, src, img, "-noappend", "-quiet", "-no-progress").CombinedOutput(); err != nil {
		t.Fatalf("mksquashfs: %v: %s", err, out)
	}
	dir := mountDir(t, "squashfs")
	// mount(8) finds a free loop device and attaches the image.
	if out, err := exec.Command("mount", "-t", "squashfs", "-o", "loop,ro", img, dir).CombinedOutput(); err != nil {
		cannotMount(t, "squashfs", fmt.Errorf("%v: %s", err, strings.TrimSpace(string(out))))
	}
	t.Cleanup(func() { unmount(t, dir) })
	return dir
}

// MountExt4 makes an ext4 image of size bytes with at most inodes inodes
// (0: mkfs.ext4's default) with mkfs.ext4 (Debian package e2fsprogs) and
// loop-mounts it on a new temporary directory, returned, so that its
// source is a /dev/loopN device as a disk's would be; it is unmounted
// when the test ends. Like MountTmpfs it skips or fails where mounting is
// refused.
func MountExt4(t testing.TB, size uint64, inodes uint64) string {
	t.Helper()
	bin, err := Find("e2fsprogs", "mkfs.ext4")
	if err != nil {
		Unavailable(t, err)
	}
	img := filepath.Join(t.TempDir(), "image.ext4")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(int64(size)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	args := []string{"-q", "-F", "-m", "5"}
	if inodes > 0 {
		args = append(args, "-N", fmt.Sprint(inodes))
	}
	if out, err := exec.Command(bin, append(args, img)...).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v: %s", err, out)
	}
	dir := mountDir(t, "ext4")
	if out, err := exec.Command("mount", "-t", "ext4", "-o", "loop", img, dir).CombinedOutput(); err != nil {
		cannotMount(t, "ext4 image", fmt.Errorf("%v: %s", err, strings.TrimSpace(string(out))))
	}
	t.Cleanup(func() { unmount(t, dir) })
	return dir
}

// MountHung mounts a FUSE file system whose daemon never answers — the
// test holds /dev/fuse open and reads nothing from it — on a new
// temporary directory, and returns it: statfs(2), stat(2) or any other
// access to it blocks in the kernel, as on a hung NFS or sshfs mount,
// until the test ends. Then the connection is closed (the blocked calls
// return ENOTCONN) and the mount is detached. Every process that touches
// the mount meanwhile hangs too (df does), so keep the test short. Like
// MountTmpfs it skips or fails where mounting is refused; its type is
// "fuse.teko-hung".
func MountHung(t testing.TB) string {
	t.Helper()
	dev, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
	if err != nil {
		cannotMount(t, "FUSE file system", err)
	}
	dir := mountDir(t, "hung")
	data := fmt.Sprintf("fd=%d,rootmode=40000,user_id=0,group_id=0", dev.Fd())
	if err := unix.Mount("teko-hung", dir, "fuse.teko-hung", unix.MS_NOSUID|unix.MS_NODEV, data); err != nil {
		dev.Close()
		cannotMount(t, "FUSE file system", err)
	}
	t.Cleanup(func() {
		dev.Close() // aborts the connection: blocked calls return
		unmount(t, dir)
	})
	return dir
}

func mountDir(t testing.TB, kind string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "teko-"+kind+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(dir) })
	return dir
}

func cannotMount(t testing.TB, kind string, err error) {
	t.Helper()
	if Required() {
		t.Fatalf("mounting a %s: %v, and %s=1 requires it (run the tests as root)", kind, err, RequireEnv)
	}
	t.Skipf("mounting a %s is not allowed here (%v): run the tests as root, or set %s=1 to make this a failure", kind, err, RequireEnv)
}

func unmount(t testing.TB, dir string) {
	// A lazy unmount (MNT_DETACH) also detaches the loop device of a
	// squashfs image (autoclear) once the last user is gone.
	if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
		t.Errorf("unmounting %s: %v", dir, err)
	}
}
