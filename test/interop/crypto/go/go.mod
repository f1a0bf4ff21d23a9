module probity.local/interop/crypto

go 1.26.0

require (
	filippo.io/torchwood v0.6.1
	github.com/secure-systems-lab/go-securesystemslib v0.11.1
	golang.org/x/mod v0.42.0
)

require (
	golang.org/x/crypto v0.55.0 // indirect
	golang.org/x/sync v0.14.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
)
