package kit

import "testing"

func TestRedactPasswords(t *testing.T) {
	for in, want := range map[string]string{
		`{"password":"a"}`: `{"password":"[redacted]"}`,
		`{ "x" : { "password" : "a" } , "password":"b" }`:      `{ "x" : { "password":"[redacted]" } , "password":"[redacted]" }`,
		`[{"password":1},{"y":["password"]}]`:                  `[{"password":"[redacted]"},{"y":["password"]}]`,
		`{"passwords":"keep","note":"password"}`:               `{"passwords":"keep","note":"password"}`,
		`{"password":{"nested":true}}`:                         `{"password":{"nested":true}}`,
		`not json`:                                             `not json`,
		`{"shared_link":{"password":null,"unshared_at":null}}`: `{"shared_link":{"password":null,"unshared_at":null}}`,
		`{"a":{"password":null},"password":"b"}`:               `{"a":{"password":null},"password":"[redacted]"}`,
	} {
		if got, _, _ := redactPasswords([]byte(in)); string(got) != want {
			t.Errorf("redactPasswords(%s) = %s, want %s", in, got, want)
		}
	}
}
