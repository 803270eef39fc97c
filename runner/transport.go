package runner

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
)

// Transport is an endpoint's TLS and HTTP settings. The zero value uses
// the runner's client as it is: HTTP/1.1 and the system's CA roots.
type Transport struct {
	// CAFile is a PEM file of CA certificates trusted besides the system's.
	CAFile string
	// InsecureSkipVerify turns off TLS certificate verification.
	InsecureSkipVerify bool
	// HTTP2 speaks HTTP/2 only: negotiated through TLS on https URLs, and
	// without TLS (h2c with prior knowledge) on http URLs.
	HTTP2 bool
	// MaxConnections caps the connections to the endpoint; 0 is no cap.
	MaxConnections int
}

// apply sets t up for these settings.
func (tr Transport) apply(t *http.Transport) error {
	if tr.CAFile != "" || tr.InsecureSkipVerify {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: tr.InsecureSkipVerify}
		if tr.CAFile != "" {
			pool, err := caPool(tr.CAFile)
			if err != nil {
				return err
			}
			cfg.RootCAs = pool
		}
		t.TLSClientConfig = cfg
	}
	if tr.HTTP2 {
		var p http.Protocols
		p.SetHTTP2(true)
		p.SetUnencryptedHTTP2(true)
		t.Protocols = &p
		t.ForceAttemptHTTP2 = true
	}
	t.MaxConnsPerHost = tr.MaxConnections
	return nil
}

func caPool(path string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %q holds no PEM certificate", path)
	}
	return pool, nil
}
