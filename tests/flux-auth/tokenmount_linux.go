//go:build linux

package main

// Flux 2.9's generic provider (remote clusters over OIDC, Vault logins) reads the controller's own
// ServiceAccount token from /var/run/secrets/kubernetes.io/serviceaccount/token, with no seam to point it
// elsewhere. So each worker runs in a mount namespace of its own (and a user namespace when the judge is
// not root), where a private tmpfs holds the token of the pod being run at that path, as the kubelet's
// projected volume does in the controller's pod. Nothing of it is visible outside the worker.

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// podTokenMount is nil once the worker's private token directory is mounted.
var podTokenMount = errors.New("the worker has no private mount namespace")

// privateMountsFlag tells a worker it was started in a mount namespace of its own.
const privateMountsFlag = "--private-mounts"

// podTokenNamespace starts a worker in new mount (and user) namespaces, when the build needs them.
func podTokenNamespace(cmd *exec.Cmd) {
	if !controllerTokenAtFixedPath {
		return
	}
	attr := &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS}
	if os.Getuid() != 0 {
		attr.Cloneflags |= syscall.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
	}
	cmd.SysProcAttr = attr
	cmd.Args = append(cmd.Args, privateMountsFlag)
}

// withoutPodTokenNamespace is the same worker started plainly, where namespaces are not allowed.
func withoutPodTokenNamespace(cmd *exec.Cmd) *exec.Cmd {
	plain := exec.Command(cmd.Path, cmd.Args[1:len(cmd.Args)-1]...)
	plain.Env, plain.Stderr = cmd.Env, cmd.Stderr
	return plain
}

// setUpPodTokenMount mounts a private tmpfs over the deepest existing folder of the token's path, only in
// a worker started in its own mount namespace (never in the caller's).
func setUpPodTokenMount(private bool) {
	if !controllerTokenAtFixedPath || !private {
		return
	}
	self, err1 := os.Readlink("/proc/self/ns/mnt")
	parent, err2 := os.Readlink(fmt.Sprintf("/proc/%d/ns/mnt", os.Getppid()))
	if err1 != nil || err2 != nil || self == parent {
		podTokenMount = fmt.Errorf("the worker shares its parent's mount namespace")
		return
	}
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		podTokenMount = fmt.Errorf("making the worker's mounts private: %w", err)
		return
	}
	base := kubeTokenDir
	for {
		if info, err := os.Stat(base); err == nil && info.IsDir() {
			break
		}
		base = filepath.Dir(base)
	}
	if err := syscall.Mount("tmpfs", base, "tmpfs", 0, "mode=0755"); err != nil {
		podTokenMount = fmt.Errorf("mounting a tmpfs on %s: %w", base, err)
		return
	}
	if err := os.MkdirAll(kubeTokenDir, 0o755); err != nil {
		podTokenMount = err
		return
	}
	podTokenMount = nil
}

// placeControllerToken puts the pod's own ServiceAccount token where the generic provider reads it.
func placeControllerToken(root string) {
	if podTokenMount != nil {
		return
	}
	data, err := os.ReadFile(filepath.Join(root, kubeTokenDir, "token"))
	if err == nil {
		err = os.WriteFile(filepath.Join(kubeTokenDir, "token"), data, 0o600)
	}
	if err != nil {
		podTokenMount = fmt.Errorf("writing the pod's token: %w", err)
	}
}
