package identity

// Demo identities shared by the emulator binary, scripts and tests. None of the values below is a secret:
// the private key is published here on purpose so that scripts can sign client assertions.

// DefaultTenantID is the directory (tenant) id of the demo tenant contoso.example.
const DefaultTenantID = "8f3c2a6e-5b1d-4e7f-9a0c-2d4b6e8f1a3c"

// DefaultTenantDomain is the verified domain of the demo tenant; it works as an authority segment
// (https://HOST/contoso.example) just as a tenant's domain does with Entra.
const DefaultTenantDomain = "contoso.example"

// DemoAppClientID and DemoAppSecret identify a confidential client registered in the demo tenant that
// authenticates with a client secret (client credentials / app-only demos and tests).
const (
	DemoAppClientID = "5d0c4a2b-7e1f-4b3a-8c6d-9e0f1a2b3c4d"
	DemoAppSecret   = "odshare-demo~app-secret.not-a-real-secret"
)

// DemoCertAppClientID identifies a confidential client in the demo tenant that authenticates with a
// certificate: it signs client assertions with DemoAppKeyPEM, and the emulator verifies them with
// DemoAppCertPEM.
const DemoCertAppClientID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"

// DemoUsers are the accounts of the demo tenant. Their IDs double as the object id (oid) in tokens and
// as the "uid" half of MSAL's home account id (uid.utid).
var DemoUsers = []User{
	{ID: "adele", UserPrincipalName: "adele@contoso.example", DisplayName: "Adele Vance", TenantID: DefaultTenantID},
	{ID: "megan", UserPrincipalName: "megan@contoso.example", DisplayName: "Megan Bowen", TenantID: DefaultTenantID},
}

// DemoApps are the confidential clients of the demo tenant: one with a secret, one with a certificate.
var DemoApps = []App{
	{ClientID: DemoAppClientID, TenantID: DefaultTenantID, Secret: DemoAppSecret},
	{ClientID: DemoCertAppClientID, TenantID: DefaultTenantID, CertificatePEM: DemoAppCertPEM},
}

// DemoAppCertPEM is the self-signed certificate (RSA 2048, valid 2025–2125) registered for
// DemoCertAppClientID. It is a fixed value rather than generated at start-up so that scripts run against
// the emulator binary can use the matching DemoAppKeyPEM without asking the emulator for it.
var DemoAppCertPEM = []byte(`-----BEGIN CERTIFICATE-----
MIIC+DCCAeCgAwIBAgIEANXqTjANBgkqhkiG9w0BAQsFADAzMTEwLwYDVQQDEyhv
ZHNoYXJlIGVtdWxhdG9yIGRlbW8gYXBwIChOT1QgQSBTRUNSRVQpMCAXDTI1MDEw
MTAwMDAwMFoYDzIxMjUwMTAxMDAwMDAwWjAzMTEwLwYDVQQDEyhvZHNoYXJlIGVt
dWxhdG9yIGRlbW8gYXBwIChOT1QgQSBTRUNSRVQpMIIBIjANBgkqhkiG9w0BAQEF
AAOCAQ8AMIIBCgKCAQEAwkKPRa8u1ezwsstafgYB08Jx3/wlZtuugXot/Ds6yFXr
5Bq86Xhl7vs3jd+NDGI8h003NXXkiIjE07GvZw2yAYVYncNXbrrgSwsl7nHAOSQk
Y/neJVj4KhNy9QSwfBb5k0i7PdCTE6PUF93HUGv8BhIdXccLV3+XUcVhnIsxCa4I
KU3Cb+/2N13hhs5Qqj49EN0h99t7fXUr6g5mC4hty7hdJXKk7ttSBDMd9BgTnlLx
doKwR+sr3k10T4ul8rD+1h318fvS/TJhNNhaRwktI5n00y2C0kAJ/D8rILXXcPxX
if1pULnYNwEdJbsx7UqskPb1stWr7XsXs067dVTKVwIDAQABoxIwEDAOBgNVHQ8B
Af8EBAMCB4AwDQYJKoZIhvcNAQELBQADggEBAFLCVTXpdbTo4wHWTWuTyomv/U9s
lBtCdAY6aySyH6b24yui5bqMKQywJm3kAyNI4TleZ+AAhSmKZqoTtbg34vIQIzNv
3WQtv+uYmfpcLQpFxULgtSWGcoV0XH6+PBO1mHZIheWc25Xia2bmkx+gYqTAgXAM
FbkNiE58+9FfwGgaKwtcSc8gfL3x/r5I8l8+rUPN9pQ2kBlQHBAAmu8wutHoHZnw
YPgzId/CTEcqUoowVVEKqMn8lZIdAZLcDbP19oP1wpZYkq0W4fYDnS2ckwAfZw9d
XFUJVnjy0M3hHGgp8nA7odh/SFTc/F4BooEbL0hfVqc4yv2XqZkPEOghINM=
-----END CERTIFICATE-----
`)

// DemoAppKeyPEM is the PKCS #8 private key of DemoAppCertPEM. It is public on purpose: it only
// authenticates against this emulator.
var DemoAppKeyPEM = []byte(`-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQDCQo9Fry7V7PCy
y1p+BgHTwnHf/CVm266Bei38OzrIVevkGrzpeGXu+zeN340MYjyHTTc1deSIiMTT
sa9nDbIBhVidw1duuuBLCyXuccA5JCRj+d4lWPgqE3L1BLB8FvmTSLs90JMTo9QX
3cdQa/wGEh1dxwtXf5dRxWGcizEJrggpTcJv7/Y3XeGGzlCqPj0Q3SH323t9dSvq
DmYLiG3LuF0lcqTu21IEMx30GBOeUvF2grBH6yveTXRPi6XysP7WHfXx+9L9MmE0
2FpHCS0jmfTTLYLSQAn8Pysgtddw/FeJ/WlQudg3AR0luzHtSqyQ9vWy1avtexez
Trt1VMpXAgMBAAECggEAIxvNcg4tvEsU23OGONWUGfYAB7e1+MeGW+89hWMdBh0F
Q5YTg2yXm5/6k+ENyGmuv9NUQYy7j3OMgygPZ+QhQkYb1HN8B06t/9IVemlDkPA3
xXvgysYwH8ahFahRzzOFyrkv4gWitz96MxAJmD7T7zLx7MNvCNLOAeDW+ehsJe/l
/QA4t082LoCcn7qOAb9YVSKnT3X/VzDhqULpz1bFNIts5jfNAWwfauVr7wP9VjI9
8nka8m8YcDQcAG5MYtNnYpsW70YXtM34TQbzDzy42jd+zBFGgSRquJN1+uDTaeww
48dqmZnFnmM73mVDIfopgPnUtS6euVYoK76cUFA/gQKBgQDfdWI9Q1jQ05NreTyv
DmJGygzAMgeIzkxBtMTS9PFJCPOVqCrQdGGOJUdBVxdcOEKY7T1wW2aFSDfutqFa
QUFUmhsJ3Dhfzh5crh0w1mwrB0if23tZsLMIMVyMxumNbcZO/qBoTUAZoydp1W3E
iogn+sqz23LXyce2DEdTGC/41wKBgQDejKTW9Wm3AWk9xm9vDGzQN0Cs8RSb2Ski
W1CIVILWO4UbfJ33JDl9hMwB3YgCOyjXb0d9CPMenuP3/EP8Bf4MruttdHvQDxYn
toYT1VCdHMvmt1nsIQXiCCI5wTCff77JE8fPKXE5WVtdUmrwlbUCi+u/fZjMo/qW
L5vY6BAKgQKBgDWUTcPmvAsGUBi67yQCTOowVDJZTJku7fXrRC5Y8OnULaO6uNlW
rnWI1rcCDOXdz4ofiFXCdKiMkmy4eaPMdb+1W7pXhWTjZUBPt0wYfcMrcexykfcF
eUgDne9bWnDA24XhY9DehPogtriXpkQz+0WqyqOpgLXg+fPaqddwuz/tAoGAIYNS
a2Bne/yFaZ0ROMrJNA2t+p0POmzYSekwVmdLkJFD+SCp9QaKdcFiq0E98wAPpWmH
fWe0nL7Wm4hsgG4ylJxerYvl/S3Ya0CMLj5oNlCYz/R6YRmT9ja9WK8j8FDfXQ5S
f3rBJx6yqHn5yqLwsCJ77MkwElj7KlSfBmnjyIECgYAQDrVUipsbSI1g+xEvqYlH
tlv407ABcBz3KRKxggXnA5WAmQRI6JmsmL41vfnm8bXYsLrwu6nXafRFfxfDoY6e
lYXKmLxoLlWC74Y5Eglokw8Kq4AundDgqtBja80Gjncez1RZ3tt5GnCpvJHro38U
cQH/iZW9iI/iSrFRnS9eeg==
-----END PRIVATE KEY-----
`)
