package netclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// TLSOptions are the TLS flags of a plugin that talks to a server over
// TLS, with the Mackerel plugins' spellings. Embed it in the options
// struct and build the configuration once, in Validate, so that a bad
// file is a flag error (UNKNOWN, before any connection):
//
//	type options struct {
//		URL string `short:"u" long:"url"`
//		netclient.TLSOptions
//	}
//
//	func (o *options) Validate() (err error) {
//		o.tls, err = o.TLSOptions.Config()
//		return err
//	}
//
// None of these options takes part in the state key.
type TLSOptions struct {
	TLSSkipVerify      bool   `long:"tls-skip-verify" statekey:"-" description:"accept any certificate from the server (no verification; the connection is still encrypted)"`
	NoCheckCertificate bool   `long:"no-check-certificate" statekey:"-" description:"the same as --tls-skip-verify (check-http's and check-tcp's spelling)"`
	CAFile             string `long:"ca-file" value-name:"FILE" statekey:"-" description:"verify the server's certificate against the CA certificates in this PEM file instead of the system's"`
	CertFile           string `long:"cert-file" value-name:"FILE" statekey:"-" description:"present this client certificate (PEM; with --key-file)"`
	KeyFile            string `long:"key-file" value-name:"FILE" statekey:"-" description:"the private key of --cert-file (PEM)"`
}

// SkipVerify reports whether either spelling of "do not verify" was given.
func (o TLSOptions) SkipVerify() bool { return o.TLSSkipVerify || o.NoCheckCertificate }

// Config returns the TLS configuration the options describe: nil for
// Go's defaults when none is set. The files are read now; each error
// names the flag and the file and says what is wrong in one line.
// A connection to a host name verifies the certificate for that name
// (SNI); Dialer and HTTP set ServerName themselves.
func (o TLSOptions) Config() (*tls.Config, error) {
	if o == (TLSOptions{}) {
		return nil, nil
	}
	cfg := &tls.Config{InsecureSkipVerify: o.SkipVerify()} // the operator asked for it
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("--ca-file: %w", pathError(err))
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-file %s: no PEM certificate in it", o.CAFile)
		}
		cfg.RootCAs = pool
	}
	switch {
	case o.CertFile != "" && o.KeyFile == "":
		return nil, errors.New("--cert-file needs --key-file (the certificate's private key)")
	case o.CertFile == "" && o.KeyFile != "":
		return nil, errors.New("--key-file needs --cert-file (the client certificate)")
	case o.CertFile != "":
		for flag, path := range map[string]string{"--cert-file": o.CertFile, "--key-file": o.KeyFile} {
			if _, err := os.Stat(path); err != nil {
				return nil, fmt.Errorf("%s: %w", flag, pathError(err))
			}
		}
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("--cert-file %s and --key-file %s: %v", o.CertFile, o.KeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// pathError keeps "open FILE: reason" as Go writes it, which names the
// file once.
func pathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}
