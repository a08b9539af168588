// Command authn-config checks kube-apiserver AuthenticationConfiguration documents offline, with the
// API server's own code: strict decoding through the apiserver.config.k8s.io scheme (v1alpha1, v1beta1,
// v1; unknown or misspelt fields are errors), conversion to the internal type, and
// ValidateAuthenticationConfiguration with the real CEL compiler (claim and user validation rules,
// claim mappings). Usage: authn-config [--disallowed-issuer URL]... FILE (multi-document YAML).
// Prints one line per document; exits 1 when any is invalid, 2 on unusable input.
//
// authn-config authenticate --public-key PEM FILE authenticates tokens (one per line on stdin) with
// the jwt authenticators of FILE, as the API server does (authenticate.go).
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	api "k8s.io/apiserver/pkg/apis/apiserver"
	"k8s.io/apiserver/pkg/apis/apiserver/install"
	"k8s.io/apiserver/pkg/apis/apiserver/validation"
	authenticationcel "k8s.io/apiserver/pkg/authentication/cel"
)

type issuers []string

func (i *issuers) String() string     { return strings.Join(*i, ",") }
func (i *issuers) Set(v string) error { *i = append(*i, v); return nil }

func main() {
	if len(os.Args) > 1 && os.Args[1] == "authenticate" {
		os.Exit(runAuthenticate(os.Args[2:]))
	}
	var disallowed issuers
	flag.Var(&disallowed, "disallowed-issuer", "an issuer the API server uses for its own ServiceAccount tokens (repeatable)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: authn-config [--disallowed-issuer URL]... FILE")
		os.Exit(2)
	}
	data, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	decoder := strictDecoder()
	compiler := authenticationcel.NewDefaultCompiler()

	reader := utilyaml.NewYAMLReader(bufioReader(data))
	failed, documents := false, 0
	for {
		doc, err := reader.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		documents++
		cfg := &api.AuthenticationConfiguration{}
		if _, _, err := decoder.Decode(doc, nil, cfg); err != nil {
			fmt.Printf("INVALID document %d: %v\n", documents, err)
			failed = true
			continue
		}
		if errs := validation.ValidateAuthenticationConfiguration(compiler, cfg, disallowed); len(errs) > 0 {
			fmt.Printf("INVALID document %d: %v\n", documents, errs.ToAggregate())
			failed = true
			continue
		}
		fmt.Printf("VALID document %d: %d jwt authenticator(s)\n", documents, len(cfg.JWT))
	}
	if documents == 0 {
		fmt.Fprintln(os.Stderr, "no documents")
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

// strictDecoder decodes apiserver.config.k8s.io documents to the internal type, refusing unknown fields.
func strictDecoder() runtime.Decoder {
	scheme := runtime.NewScheme()
	install.Install(scheme)
	return serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDecoder()
}

func stripComments(doc []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

func bufioReader(data []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(data)) }
