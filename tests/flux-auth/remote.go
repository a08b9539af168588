package main

// Remote clusters. EKS (access entries) and AKS (Azure RBAC) are judged with their integrations; GKE
// authorizes with Kubernetes RBAC inside the remote cluster, where the user name is the IAM principal the
// token acts as: the GSA's email, the principal:// name of a federated KSA, or, for a GKE KSA with direct
// access, serviceAccount:<project>.svc.id.goog[<ns>/<ksa>] (as Flux's own e2e binds it,
// fluxcd/pkg tests/integration). plan.json's remoteClusterRbacYaml holds one group per remote cluster,
// each under a "# Remote cluster <name>" comment.

import (
	"fmt"
	"strings"
)

// remoteRBAC splits remoteClusterRbacYaml by remote cluster.
func remoteRBAC(yaml string) (map[string]*Objects, error) {
	out := map[string]*Objects{}
	for cluster, chunk := range byRemoteCluster(yaml) {
		o := &Objects{}
		if err := o.decodeManifests([]byte(chunk), "remoteClusterRbacYaml "+cluster); err != nil {
			return nil, err
		}
		out[cluster] = o
	}
	return out, nil
}

// byRemoteCluster splits a rendered multi-document YAML into the groups under each
// "# Remote cluster <name>[ (<address>)]" comment, by name.
func byRemoteCluster(yaml string) map[string]string {
	out := map[string]string{}
	var cluster string
	for _, line := range strings.Split(yaml, "\n") {
		if name, ok := strings.CutPrefix(line, "# Remote cluster "); ok {
			if fields := strings.Fields(name); len(fields) > 0 {
				cluster = fields[0]
				continue
			}
		}
		if cluster != "" {
			out[cluster] += line + "\n"
		}
	}
	return out
}

// The Kubernetes roles every cluster has (bootstrap policy), which remote RBAC may bind.
var builtInClusterRoles = map[string]bool{"cluster-admin": true, "admin": true, "edit": true, "view": true}

func (j *ClusterJudge) gkeRBACCheck(r *Run, s *GCPSession, cluster string) []string {
	user := s.member()
	if s.Email != "" {
		user = s.Email
	}
	groups, err := remoteRBAC(j.plan.GCP.RemoteClusterRBACYAML)
	if err != nil {
		return []string{err.Error()}
	}
	objs := groups[cluster]
	if objs == nil {
		return []string{fmt.Sprintf("remoteClusterRbacYaml has no group for remote cluster %s", cluster)}
	}
	u := User{Name: user, Groups: []string{"system:authenticated"}}
	var bound []string
	for _, b := range objs.ClusterRoleBindings {
		if anySubject(b.Subjects, "", u) && (builtInClusterRoles[b.RoleRef.Name] || objs.clusterRole(b.RoleRef.Name) != nil) {
			bound = append(bound, "ClusterRole "+b.RoleRef.Name+" cluster-wide")
		}
	}
	for _, b := range objs.RoleBindings {
		if anySubject(b.Subjects, b.Namespace, u) {
			bound = append(bound, fmt.Sprintf("%s %s in %s", b.RoleRef.Kind, b.RoleRef.Name, b.Namespace))
		}
	}
	if len(bound) == 0 {
		var names []string
		for _, b := range objs.ClusterRoleBindings {
			for _, sub := range b.Subjects {
				names = append(names, sub.Kind+" "+sub.Name)
			}
		}
		for _, b := range objs.RoleBindings {
			for _, sub := range b.Subjects {
				names = append(names, sub.Kind+" "+sub.Name)
			}
		}
		return []string{fmt.Sprintf("the remote cluster's RBAC binds no User %q (GKE's user name for the token); it binds %s", user, strings.Join(names, ", "))}
	}
	r.note("remote GKE RBAC binds User %s: %s", user, strings.Join(bound, "; "))
	return nil
}
