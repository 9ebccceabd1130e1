package auth

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/odshare/odshare/internal/redact"
)

// LoginDeviceCode signs a person in with the device-code flow, which works over SSH and in
// containers where no browser can reach a loopback redirect. show receives MSAL's instructions
// (URL and code) as soon as the code is issued; the call then blocks until the user approves,
// declines (ErrDeclined), the code expires (ErrDeviceCodeExpired) or ctx ends (ctx.Err(), within
// MSAL's poll interval of at most 5 s, usually far less: apps/internal/oauth/oauth.go selects on
// ctx.Done while waiting). The cache lock is taken only when the token arrives.
func LoginDeviceCode(ctx context.Context, s Settings, show func(message string)) (*LoginResult, error) {
	r, err := s.resolve()
	if err != nil {
		return nil, err
	}
	fc := newFileCache(r.cachePath(), r.Storage)
	fc.fresh = true // a cache whose key is lost is replaced by this sign-in
	pc, err := newPublicClient(r, fc)
	if err != nil {
		return nil, err
	}
	var res public.AuthResult
	err = fc.do(ctx, func(ctx context.Context) error {
		dc, err := pc.AcquireTokenByDeviceCode(ctx, r.Scopes)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			return loginError("start device-code sign-in", err)
		}
		if show != nil {
			msg := dc.Result.Message
			if msg == "" {
				msg = fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.",
					dc.Result.VerificationURL, dc.Result.UserCode)
			}
			show(msg)
		}
		res, err = dc.AuthenticationResult(ctx)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			// MSAL bounds polling by the code's lifetime with its own deadline
			// (oauth.go DeviceCode.Token), so DeadlineExceeded with ctx alive means "expired".
			if errors.Is(err, context.DeadlineExceeded) {
				return ErrDeviceCodeExpired
			}
			return loginError("device-code sign-in", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &LoginResult{Account: accountInfo(res.Account)}, nil
}

// LoginApp checks that an app registration's secret or certificate works by getting an app-only
// token for Microsoft Graph, and caches that token. The credential itself is not stored.
func LoginApp(ctx context.Context, s Settings) (*TokenInfo, error) {
	src, err := NewAppSource(s)
	if err != nil {
		return nil, err
	}
	// force: a token still cached from an earlier run would prove nothing about the credential.
	res, err := src.acquire(ctx, true)
	if err != nil {
		return nil, err
	}
	return src.tokenInfo(res), nil
}

// pfxCredential reads a PKCS#12 (.pfx/.p12) file: the leaf certificate, its chain and the
// private key. MSAL for Go has no PKCS#12 decoder of its own.
func pfxCredential(name string, data []byte, password string) (confidential.Credential, error) {
	key, leaf, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return confidential.Credential{}, fmt.Errorf("certificate %s is neither PEM nor a PFX odshare can open (wrong ODSHARE_CERTIFICATE_PASSWORD?): %w", name, err)
	}
	return confidential.NewCredFromCert(append([]*x509.Certificate{leaf}, chain...), key)
}

// appCredential builds the MSAL credential from exactly one of a secret and a certificate file.
func appCredential(s Settings) (confidential.Credential, error) {
	redact.Add(s.ClientSecret, s.CertificatePassword)
	switch {
	case s.ClientSecret != "" && s.CertificateFile != "":
		return confidential.Credential{}, errors.New("give either a client secret or a certificate, not both")
	case s.ClientSecret != "":
		return confidential.NewCredFromSecret(s.ClientSecret)
	case s.CertificateFile != "":
		data, err := os.ReadFile(s.CertificateFile)
		if err != nil {
			return confidential.Credential{}, fmt.Errorf("read certificate: %w", err)
		}
		if !bytes.Contains(data, []byte("-----BEGIN")) {
			return pfxCredential(s.CertificateFile, data, s.CertificatePassword)
		}
		// CertFromPEM ignores the password and rejects encrypted keys (confidential.go).
		certs, key, err := confidential.CertFromPEM(data, s.CertificatePassword)
		if err != nil {
			return confidential.Credential{}, fmt.Errorf("certificate %s: %w", s.CertificateFile, err)
		}
		return confidential.NewCredFromCert(certs, key)
	default:
		return confidential.Credential{}, errors.New("app-only sign-in needs a client secret or a certificate")
	}
}
