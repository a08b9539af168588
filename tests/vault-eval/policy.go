package main

// The token's policies against what Flux needs: every needed path must be granted `update` (transit
// decrypt is a write), and nothing else may be granted. Policies are parsed with HCL v1, as Vault parses
// them; paths match as Vault's policy documentation describes (exact, a trailing `*` glob, `+` for one
// segment); a matching `deny` wins.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl"
)

type pathRule struct {
	Path         string
	Capabilities []string
}

func parsePolicy(text string) ([]pathRule, error) {
	var doc struct {
		Path map[string]struct {
			Capabilities []string `hcl:"capabilities"`
		} `hcl:"path"`
	}
	if err := hcl.Decode(&doc, text); err != nil {
		return nil, err
	}
	var rules []pathRule
	for p, r := range doc.Path {
		rules = append(rules, pathRule{Path: p, Capabilities: r.Capabilities})
	}
	slices.SortFunc(rules, func(a, b pathRule) int { return strings.Compare(a.Path, b.Path) })
	return rules, nil
}

func matches(pattern, path string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return segmentsMatch(prefix, path[:min(len(path), len(prefix))]) && len(path) >= len(prefix)
	}
	return segmentsMatch(pattern, path)
}

// segmentsMatch compares segment by segment, `+` standing for any one segment.
func segmentsMatch(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if ps[i] != "+" && ps[i] != xs[i] {
			return false
		}
	}
	return true
}

func checkPolicies(tokenPolicies []string, texts map[string]string, need []string) []string {
	var problems []string
	var rules []pathRule
	for _, name := range tokenPolicies {
		if name == "default" {
			problems = append(problems, `the token carries Vault's "default" policy (token_no_default_policy is off)`)
			continue
		}
		text, ok := texts[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("the token's policy %q is not in the plan", name))
			continue
		}
		parsed, err := parsePolicy(text)
		if err != nil {
			problems = append(problems, fmt.Sprintf("policy %q: %v", name, err))
			continue
		}
		rules = append(rules, parsed...)
	}
	for _, p := range need {
		granted, denied := false, false
		for _, r := range rules {
			if matches(r.Path, p) {
				granted = granted || slices.Contains(r.Capabilities, "update")
				denied = denied || slices.Contains(r.Capabilities, "deny")
			}
		}
		if !granted || denied {
			problems = append(problems, fmt.Sprintf("the token's policies %v do not allow update on %s", tokenPolicies, p))
		}
	}
	for _, r := range rules {
		if !slices.Contains(need, r.Path) {
			problems = append(problems, fmt.Sprintf("the token's policies also grant %v on %q, beyond %v", r.Capabilities, r.Path, need))
			continue
		}
		for _, c := range r.Capabilities {
			if c != "update" {
				problems = append(problems, fmt.Sprintf("the token's policies grant %q on %s beyond update", c, r.Path))
			}
		}
	}
	return problems
}
