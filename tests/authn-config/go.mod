module github.com/flux-identity/tests/authn-config

go 1.26.0

require k8s.io/apiserver v0.36.4 // indirect
