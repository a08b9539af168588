//go:build !linux

package main

// Outside Linux the worker has no private mount namespace for the controller's own token (see
// tokenmount_linux.go): Flux 2.9's generic provider then cannot read it, and those cases say so.

import (
	"errors"
	"os/exec"
)

var podTokenMount = errors.New("placing the controller's own token needs Linux mount namespaces")

const privateMountsFlag = "--private-mounts"

func podTokenNamespace(*exec.Cmd)                      {}
func withoutPodTokenNamespace(cmd *exec.Cmd) *exec.Cmd { return cmd }
func setUpPodTokenMount(bool)                          {}
func placeControllerToken(string)                      {}
