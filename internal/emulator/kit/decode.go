package kit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// DecodeStrict decodes a fixture file's data into v by its extension (.json, .yaml or .yml).
// Unknown fields are errors, so a misspelt key in a hand-written fixture is reported instead of
// silently ignored.
func DecodeStrict(data []byte, ext string, v any) error {
	switch strings.ToLower(ext) {
	case ".json":
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		return dec.Decode(v)
	case ".yaml", ".yml":
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		return dec.Decode(v)
	}
	return fmt.Errorf("unknown extension %q (want .json, .yaml or .yml)", ext)
}
