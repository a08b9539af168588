package main

// AWS policy decisions come from the real evaluator in tests/iam-eval (iam-rs behind a JSON-in,
// JSON-out binary), called once per decision batch. The judge never reads a policy document itself.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"sync"
)

type IAMRequest struct {
	Principal map[string]string `json:"Principal"`
	Action    string            `json:"Action"`
	Resource  string            `json:"Resource"`
	Context   map[string]any    `json:"Context,omitempty"`
}

type IAMCase struct {
	Policies       []any      `json:"policies"`
	Request        IAMRequest `json:"request"`
	IgnoreResource bool       `json:"ignoreResource,omitempty"`
}

type IAMEval struct {
	binary string
	mu     sync.Mutex
	cache  map[string]string
}

func newIAMEval(binary string) *IAMEval {
	return &IAMEval{binary: binary, cache: map[string]string{}}
}

// decide evaluates one case: "Allow", "Deny" or "NotApplicable" (an implicit deny).
func (e *IAMEval) decide(c IAMCase) (string, error) {
	key, _ := json.Marshal(c)
	e.mu.Lock()
	if d, ok := e.cache[string(key)]; ok {
		e.mu.Unlock()
		return d, nil
	}
	e.mu.Unlock()
	input, _ := json.Marshal(map[string]any{"cases": []IAMCase{c}})
	cmd := exec.Command(e.binary)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("IAM evaluator %s: %v: %s", e.binary, err, strings.TrimSpace(stderr.String()))
	}
	var res struct {
		Results []string `json:"results"`
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res.Results) != 1 {
		return "", fmt.Errorf("IAM evaluator %s: unexpected output %q", e.binary, out)
	}
	d := res.Results[0]
	if strings.HasPrefix(d, "error:") {
		return "", fmt.Errorf("IAM evaluator: %s", d)
	}
	e.mu.Lock()
	e.cache[string(key)] = d
	e.mu.Unlock()
	return d, nil
}
