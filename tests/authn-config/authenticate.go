package main

// `authn-config authenticate`: kube-apiserver's own JWT authenticator
// (k8s.io/apiserver/plugin/pkg/authenticator/token/oidc) built from each jwt entry of an
// AuthenticationConfiguration, as the API server builds it, with the issuer's signing key given
// directly (Options.KeySet) instead of fetched by discovery. Each token on stdin is answered with one
// JSON line: the user the API server would see (with the system:authenticated group every
// authenticated request gets), or why it was refused.

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	jose "gopkg.in/go-jose/go-jose.v2"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	api "k8s.io/apiserver/pkg/apis/apiserver"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/plugin/pkg/authenticator/token/oidc"
)

type authnResult struct {
	Authenticated bool     `json:"authenticated"`
	User          string   `json:"user,omitempty"`
	Groups        []string `json:"groups,omitempty"`
	Error         string   `json:"error,omitempty"`
}

func runAuthenticate(args []string) int {
	fs := flag.NewFlagSet("authenticate", flag.ContinueOnError)
	keyFile := fs.String("public-key", "", "PEM public key (PKIX) that signs the issuer's tokens")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 || *keyFile == "" {
		fmt.Fprintln(os.Stderr, "usage: authn-config authenticate --public-key PEM FILE < tokens")
		return 2
	}
	key, err := readPublicKey(*keyFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	authenticators, err := jwtAuthenticators(data, key)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	out := json.NewEncoder(os.Stdout)
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		token := strings.TrimSpace(scanner.Text())
		if token == "" {
			continue
		}
		_ = out.Encode(authenticate(authenticators, token))
	}
	return 0
}

func readPublicKey(file string) (crypto.PublicKey, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block", file)
	}
	return x509.ParsePKIXPublicKey(block.Bytes)
}

// jwtAuthenticators builds one authenticator per jwt entry of every document, as the API server does
// at start-up (New compiles and validates the entry's CEL expressions and refuses an invalid entry).
func jwtAuthenticators(data []byte, key crypto.PublicKey) ([]authenticator.Token, error) {
	decoder := strictDecoder()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []authenticator.Token
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		cfg := &api.AuthenticationConfiguration{}
		if _, _, err := decoder.Decode(doc, nil, cfg); err != nil {
			return nil, err
		}
		for _, entry := range cfg.JWT {
			a, err := oidc.New(context.Background(), oidc.Options{
				JWTAuthenticator: entry,
				KeySet:           staticKeySet{key},
			})
			if err != nil {
				return nil, fmt.Errorf("jwt authenticator for %s: %w", entry.Issuer.URL, err)
			}
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no jwt authenticator in the configuration")
	}
	return out, nil
}

// staticKeySet verifies signatures with one known key (the issuer's JWKS, without fetching it).
type staticKeySet struct{ key crypto.PublicKey }

func (s staticKeySet) VerifySignature(_ context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSigned(raw)
	if err != nil {
		return nil, fmt.Errorf("malformed jwt: %w", err)
	}
	return jws.Verify(s.key)
}

// authenticate tries every authenticator, as the API server's union does: the first that accepts wins;
// an authenticator for another issuer passes the token on without an error.
func authenticate(authenticators []authenticator.Token, token string) authnResult {
	var errs []string
	for _, a := range authenticators {
		resp, ok, err := a.AuthenticateToken(context.Background(), token)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		if ok {
			groups := append(resp.User.GetGroups(), "system:authenticated")
			return authnResult{Authenticated: true, User: resp.User.GetName(), Groups: groups}
		}
	}
	if len(errs) == 0 {
		errs = append(errs, "no jwt authenticator is configured for the token's issuer")
	}
	return authnResult{Error: strings.Join(errs, "; ")}
}
