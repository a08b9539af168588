// Command vault-eval decides a Vault (or OpenBao) JWT login and the policies it yields with Vault's own
// code: the JWT auth method (github.com/hashicorp/vault-plugin-auth-jwt, the plugin Vault ships) runs
// in-process on in-memory storage, is configured and given its roles through its own API paths, and
// answers the login; the policies of the token it issues are then checked against the paths the caller
// needs. JSON in (stdin), JSON out (stdout); exit 2 on unusable input.
//
//	{"config": {...auth/<mount>/config fields}, "roles": {"<name>": {...role fields}},
//	 "policies": {"<name>": "<HCL>"}, "login": {"role": "...", "jwt": "..."}, "need": ["transit/decrypt/k"]}
//
// answers {"allowed": bool, "error": "...", "policies": [...], "problems": [...]}.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	jwtauth "github.com/hashicorp/vault-plugin-auth-jwt"
	"github.com/hashicorp/vault/sdk/logical"
)

type input struct {
	Config   map[string]any            `json:"config"`
	Roles    map[string]map[string]any `json:"roles"`
	Policies map[string]string         `json:"policies"`
	Login    struct {
		Role string `json:"role"`
		JWT  string `json:"jwt"`
	} `json:"login"`
	Need []string `json:"need"`
}

type output struct {
	Allowed  bool     `json:"allowed"`
	Error    string   `json:"error,omitempty"`
	Policies []string `json:"policies,omitempty"`
	Problems []string `json:"problems,omitempty"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "vault-eval: input:", err)
		os.Exit(2)
	}
	out, err := decide(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vault-eval:", err)
		os.Exit(2)
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}

func decide(in input) (output, error) {
	ctx := context.Background()
	conf := logical.TestBackendConfig()
	storage := &logical.InmemStorage{}
	conf.StorageView = storage
	backend, err := jwtauth.Factory(ctx, conf)
	if err != nil {
		return output{}, err
	}
	write := func(op logical.Operation, path string, data map[string]any) (*logical.Response, error) {
		return backend.HandleRequest(ctx, &logical.Request{Operation: op, Path: path, Data: data, Storage: storage, Connection: &logical.Connection{RemoteAddr: "127.0.0.1"}})
	}
	// Configuration errors are the plan's, not the login's: they are unusable input.
	if resp, err := write(logical.UpdateOperation, "config", in.Config); err != nil || resp.IsError() {
		return output{}, fmt.Errorf("auth method config: %v", errorOf(resp, err))
	}
	names := make([]string, 0, len(in.Roles))
	for name := range in.Roles {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if resp, err := write(logical.CreateOperation, "role/"+name, in.Roles[name]); err != nil || resp.IsError() {
			return output{}, fmt.Errorf("role %s: %v", name, errorOf(resp, err))
		}
	}
	resp, err := write(logical.UpdateOperation, "login", map[string]any{"role": in.Login.Role, "jwt": in.Login.JWT})
	if err != nil || resp.IsError() || resp.Auth == nil {
		return output{Error: errorOf(resp, err)}, nil
	}
	out := output{Allowed: true, Policies: resp.Auth.Policies}
	out.Problems = checkPolicies(resp.Auth.Policies, in.Policies, in.Need)
	return out, nil
}

func errorOf(resp *logical.Response, err error) string {
	switch {
	case err != nil:
		return err.Error()
	case resp == nil:
		return "no response"
	case resp.IsError():
		return resp.Error().Error()
	case resp.Auth == nil:
		return "the login returned no token"
	}
	return ""
}
