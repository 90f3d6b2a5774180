package certinfo_test

import (
	"fmt"
	"time"

	"github.com/teko-dev/teko/plugin/certinfo"
	"github.com/teko-dev/teko/plugin/certinfo/certtest"
)

// A file holding a private key, the server's certificate and its
// intermediate: the key is skipped, and the bundle is judged by the
// certificate that expires first.
func ExampleParse() {
	date := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	root := certtest.MustNew(certtest.Spec{CN: "Example Root", CA: true, NotBefore: date("2025-01-01"), NotAfter: date("2035-01-01")}, nil)
	inter := certtest.MustNew(certtest.Spec{CN: "Example CA", CA: true, NotBefore: date("2025-01-01"), NotAfter: date("2026-12-20")}, root)
	leaf := certtest.MustNew(certtest.Spec{CN: "www.example.test", NotBefore: date("2026-06-01"), NotAfter: date("2027-03-01")}, inter)

	file := append(append(leaf.KeyPEM(), leaf.PEM()...), inter.PEM()...)
	b, err := certinfo.Parse(file)
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	first := b.Earliest()
	fmt.Println(b.Format, len(b.Certs), "certificates, skipped:", b.Other)
	fmt.Println(b.Chain())
	fmt.Printf("%s expires first: %d days left\n", certinfo.Name(first), certinfo.DaysLeft(first.NotAfter, now))
	// Output:
	// PEM 2 certificates, skipped: [PRIVATE KEY]
	// leaf CN=www.example.test (2027-03-01) ← intermediate CN=Example CA (2026-12-20)
	// CN=Example CA expires first: 18 days left
}
