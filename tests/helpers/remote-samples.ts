/** Remote-cluster samples: an API server CA (a throwaway self-signed certificate; its key was never kept) and addresses. */

export const REMOTE_CA = `-----BEGIN CERTIFICATE-----
MIIBjzCCATWgAwIBAgIUAPFuL5eb/h84OSKw0UwvM8NCge0wCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRcmVtb3RlLWNsdXN0ZXItY2EwIBcNMjYxMjAxMjAyNjA1WhgP
MjEyNjExMDcyMDI2MDVaMBwxGjAYBgNVBAMMEXJlbW90ZS1jbHVzdGVyLWNhMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE3ZcSvlR+bv0yKVeKbiE6cmbIlRhhEoks
AII6izBEIu4RCpSTLhDwIaSY5pcLJhn/m4IrDwCzPM/hHsiJdvLLmKNTMFEwHQYD
VR0OBBYEFHpkqG47IzfIvznwmzU+McdwagVZMB8GA1UdIwQYMBaAFHpkqG47IzfI
vznwmzU+McdwagVZMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIg
b9JMFwdB0upQFABm2NcSNqBKDCGsPhuBlfd60dVdbqYCIQD2NYyz5TYmUfo3oYK2
ODA3dchUVThf6WHG4OBZs48zDA==
-----END CERTIFICATE-----
`;

export const REMOTE_ADDRESS = "https://api.spoke-1.example.com:6443";
