// Pulumi components that give Flux CD secret-less access to AWS, Azure and GCP.
package fluxidentity
