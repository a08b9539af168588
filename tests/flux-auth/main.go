// Command flux-auth-judge judges a directory `flux-identity render` wrote with Flux's own
// authentication code (github.com/fluxcd/pkg/auth): every identity the render plans must get its
// credentials and the access Flux needs, and every impostor must be refused.
//
//	flux-auth-judge --flux <dir with gotk-components.yaml> --iam-eval <binary> [--kubectl <binary>]
//	    [--authn-config <binary>] [--vault-eval <binary>] [--json] <render-dir>...
//
// Exit 0 when every intended identity is ACCEPTED and every negative REFUSED, 1 otherwise, 2 on unusable
// input. Each cluster is judged in a process of its own (Flux's auth package keeps process-wide state:
// feature gates, default ServiceAccounts, GKE metadata).
package main

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

type options struct {
	fluxDir, iamEval, kubectl string
	json, list, privateMounts bool
	worker                    string
	jobs                      int
}

func usage(msg string) {
	fmt.Fprintf(os.Stderr, "flux-auth-judge: %s\nusage: flux-auth-judge --flux <dir with gotk-components.yaml> --iam-eval <binary> [--kubectl <binary>] [--jobs <n>] [--json] <render-dir>...\n", msg)
	os.Exit(2)
}

func main() {
	var o options
	fs := flag.NewFlagSet("flux-auth-judge", flag.ContinueOnError)
	fs.StringVar(&o.fluxDir, "flux", "", "directory holding Flux's gotk-components.yaml (and gotk-sync.yaml)")
	fs.StringVar(&o.iamEval, "iam-eval", "", "the tests/iam-eval binary")
	fs.StringVar(&o.kubectl, "kubectl", "kubectl", "kubectl, for `kubectl kustomize`")
	fs.StringVar(&authnConfigBinary, "authn-config", "", "the tests/authn-config binary (kube-apiserver's JWT authenticator, for remote clusters over OIDC)")
	fs.StringVar(&vaultEvalBinary, "vault-eval", "", "the tests/vault-eval binary (Vault's JWT auth method, for Vault SOPS logins)")
	fs.BoolVar(&o.json, "json", false, "print one JSON object per line instead of text")
	fs.BoolVar(&o.list, "list-integrations", false, "print the registry of integrations and exit")
	fs.StringVar(&o.worker, "worker", "", "judge one cluster directory and print its results as JSON (internal)")
	fs.BoolVar(&o.privateMounts, strings.TrimPrefix(privateMountsFlag, "--"), false, "the worker runs in a mount namespace of its own (internal)")
	fs.IntVar(&o.jobs, "jobs", 6, "clusters judged at once (workers mostly wait on the SDKs' retry back-off, not on the CPU)")
	fs.SetOutput(os.Stderr)
	// Flags may follow the directories too.
	var positional []string
	for rest := os.Args[1:]; ; {
		if err := fs.Parse(rest); err != nil {
			os.Exit(2)
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if o.list {
		fmt.Printf("Flux %s (%s)\n", fluxVersion, authModuleVersion)
		for _, line := range registeredIntegrations() {
			fmt.Println("  " + line)
		}
		return
	}
	if o.worker != "" {
		os.Exit(runWorker(o))
	}
	if len(positional) < 1 {
		usage("expected a render directory (or cluster directories)")
	}
	if o.fluxDir == "" || o.iamEval == "" {
		usage("--flux and --iam-eval are required")
	}
	if _, err := os.Stat(filepath.Join(o.fluxDir, "gotk-components.yaml")); err != nil {
		usage(fmt.Sprintf("--flux %s: %v", o.fluxDir, err))
	}
	var dirs []string
	for _, arg := range positional {
		found, err := clusterDirs(arg)
		if err != nil {
			usage(err.Error())
		}
		dirs = append(dirs, found...)
	}
	os.Exit(judgeAll(o, dirs))
}

// clusterDirs finds the cluster folders of a render: the directory itself if it holds plan.json, else
// its sub-directories that do.
func clusterDirs(root string) ([]string, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", root)
	}
	if _, err := os.Stat(filepath.Join(root, "plan.json")); err == nil {
		return []string{root}, nil
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join(root, e.Name(), "plan.json")); err == nil {
				dirs = append(dirs, filepath.Join(root, e.Name()))
			}
		}
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("%s holds no cluster folder with plan.json: is it a directory `flux-identity render --out` wrote?", root)
	}
	sort.Strings(dirs)
	return dirs, nil
}

func judgeAll(o options, dirs []string) int {
	self, err := os.Executable()
	if err != nil {
		usage(err.Error())
	}
	if !o.json {
		fmt.Printf("flux-auth judge: Flux %s (%s), Flux manifests %s\n", fluxVersion, authModuleVersion, o.fluxDir)
	}
	type outcome struct {
		results  []Result
		unusable bool
	}
	outcomes := make([]outcome, len(dirs))
	sem := make(chan struct{}, max(1, o.jobs))
	var wg sync.WaitGroup
	for i, dir := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cmd := exec.Command(self, "--worker", dir, "--flux", o.fluxDir, "--iam-eval", o.iamEval, "--kubectl", o.kubectl, "--authn-config", authnConfigBinary, "--vault-eval", vaultEvalBinary)
			cmd.Stderr = os.Stderr
			podTokenNamespace(cmd)
			// The worker replaces its environment with each pod's; it needs none of the caller's.
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(), "TMPDIR=" + os.TempDir()}
			out, err := cmd.Output()
			if err != nil && cmd.ProcessState == nil && cmd.SysProcAttr != nil {
				// Namespaces not allowed here: the worker runs plainly, and says so where it matters.
				cmd = withoutPodTokenNamespace(cmd)
				out, err = cmd.Output()
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "flux-auth-judge: %s: %v\n", dir, err)
				outcomes[i].unusable = true
				return
			}
			if err := json.Unmarshal(out, &outcomes[i].results); err != nil {
				fmt.Fprintf(os.Stderr, "flux-auth-judge: %s: worker output: %v\n", dir, err)
				outcomes[i].unusable = true
			}
		}()
	}
	wg.Wait()
	var all []Result
	unusable := false
	for _, oc := range outcomes {
		unusable = unusable || oc.unusable
		for _, r := range oc.results {
			printResult(o, r)
		}
		all = append(all, oc.results...)
	}
	failed := 0
	accepted, refused := 0, 0
	for _, r := range all {
		if !r.OK {
			failed++
		}
		if r.Negative && r.Verdict == "REFUSED" {
			refused++
		}
		if !r.Negative && r.Verdict == "ACCEPTED" {
			accepted++
		}
	}
	if !o.json {
		fmt.Printf("flux-auth judge: %d clusters, %d identities accepted, %d negatives refused, %d problems\n", len(dirs), accepted, refused, failed)
	}
	switch {
	case unusable:
		return 2
	case failed > 0:
		return 1
	}
	return 0
}

func printResult(o options, r Result) {
	if o.json {
		line, _ := json.Marshal(r)
		fmt.Println(string(line))
		return
	}
	mark := "ok  "
	if !r.OK {
		mark = "FAIL"
	}
	reason := r.Reason
	if reason == "" {
		reason = "-"
	}
	fmt.Printf("%s %-8s %s %s %s %s: %s\n", mark, r.Verdict, r.Cluster, r.Cloud, r.Subject, r.Case, reason)
}

func runWorker(o options) int {
	setUpPodTokenMount(o.privateMounts)
	results, err := judgeCluster(o.worker, o.fluxDir, o.kubectl, newIAMEval(o.iamEval))
	if err != nil {
		fmt.Fprintf(os.Stderr, "flux-auth-judge: %s: %v\n", o.worker, err)
		return 2
	}
	if results == nil {
		results = []Result{}
	}
	out, _ := json.Marshal(results)
	os.Stdout.Write(out)
	return 0
}

// registerMetadataServer answers the link-local endpoints a pod's SDKs reach on its node, all mapped to
// the fake endpoint's loopback address: the EKS Pod Identity Agent, EC2 and GCE instance metadata.
func (j *ClusterJudge) registerMetadataServer() {
	j.net.handle(`127\.0\.0\.1|metadata\.google\.internal`, func(w http.ResponseWriter, r *http.Request, _ url.Values) {
		switch {
		case r.URL.Path == "/v1/credentials" && j.aws != nil:
			j.aws.podIdentity(w, r)
		case r.Header.Get("Metadata-Flavor") == "Google" || strings.HasPrefix(r.URL.Path, "/computeMetadata/"):
			if j.gcp == nil {
				w.Header().Set("Metadata-Flavor", "Google")
				http.Error(w, "no GCP target in the plan", 404)
				return
			}
			j.gcp.metadata(w, r)
		default:
			j.net.record(Exchange{Service: "instance metadata", Detail: r.Method + " " + r.URL.Path, Reason: "the node's own identity is not one the plan gives Flux"})
			http.Error(w, "the judge's nodes have no instance identity", 404)
		}
	})
}
