package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// driveItemSelectable are the names $select may use on a driveItem: its structural properties
// (baseItem's and entity's included) and navigation properties in Microsoft's metadata [CSDL],
// plus the instance annotation @microsoft.graph.downloadUrl. Navigation properties are accepted
// and render nothing, as Graph renders them only when expanded.
var driveItemSelectable = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`audio bundle cTag content createdBy createdDateTime deleted description
		eTag file fileSystemInfo folder id image lastModifiedBy lastModifiedDateTime location malware name
		package parentReference pendingOperations photo publication remoteItem root searchResult shared
		sharepointIds size specialFolder video webDavUrl webUrl
		analytics children createdByUser lastModifiedByUser listItem permissions retentionLabel
		subscriptions thumbnails versions workbook @microsoft.graph.downloadUrl`) {
		m[lower(n)] = true
	}
	return m
}()

// permissionSelectable are the permission's properties [CSDL].
var permissionSelectable = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`expirationDateTime grantedTo grantedToIdentities grantedToIdentitiesV2
		grantedToV2 hasPassword id inheritedFrom invitation link roles shareId`) {
		m[lower(n)] = true
	}
	return m
}()

// parseSelect reads $select: a comma-separated list of property names, matched
// case-insensitively. A name the type doesn't have is 400 BadRequest, as Graph answers "Could not
// find a property named ..." [ERR]. nil means no $select (every property).
func parseSelect(c *reqCtx, valid map[string]bool, typeName string) ([]string, *apiError) {
	vals := queryValues(c.query, "$select")
	if len(vals) == 0 {
		return nil, nil
	}
	var out []string
	for _, v := range vals {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if !valid[lower(name)] {
				return nil, errf(400, "BadRequest", fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.%s'.", name, typeName))
			}
			out = append(out, lower(name))
		}
	}
	if out == nil {
		return nil, badRequest("$select needs at least one property name.")
	}
	return out, nil
}

// selected is an object with only some members, in the order of the type's own rendering.
type selected struct {
	keys []string
	vals []any
}

func (s selected) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteByte('{')
	for i, k := range s.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(k); err != nil {
			return nil, err
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
		buf.WriteByte(':')
		if err := enc.Encode(s.vals[i]); err != nil {
			return nil, err
		}
		buf.Truncate(buf.Len() - 1)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// docField is one member of a struct rendered as JSON.
type docField struct {
	name      string // the JSON name
	index     int
	omitEmpty bool
	omitZero  bool
}

var docFieldsCache sync.Map // reflect.Type -> []docField

func docFields(t reflect.Type) []docField {
	if v, ok := docFieldsCache.Load(t); ok {
		return v.([]docField)
	}
	var out []docField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out = append(out, docField{name: name, index: i,
			omitEmpty: strings.Contains(","+opts+",", ",omitempty,"),
			omitZero:  strings.Contains(","+opts+",", ",omitzero,")})
	}
	docFieldsCache.Store(t, out)
	return out
}

func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String, reflect.Slice, reflect.Map, reflect.Array:
		return v.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int64, reflect.Int32:
		return v.Int() == 0
	}
	return false
}

// selectStruct keeps the members of a struct document (a pointer to a struct with json tags)
// that sel names, honouring omitempty and omitzero as encoding/json would.
func selectStruct(doc any, sel []string) selected {
	v := reflect.ValueOf(doc).Elem()
	want := map[string]bool{}
	for _, n := range sel {
		want[n] = true
	}
	var out selected
	for _, f := range docFields(v.Type()) {
		if !want[lower(f.name)] {
			continue
		}
		fv := v.Field(f.index)
		if (f.omitEmpty && isEmptyValue(fv)) || (f.omitZero && fv.IsZero()) {
			continue
		}
		out.keys = append(out.keys, f.name)
		out.vals = append(out.vals, fv.Interface())
	}
	return out
}

// selectMap keeps the members of a map document that sel names.
func selectMap(m map[string]any, sel []string) map[string]any {
	out := make(map[string]any, len(sel))
	for k, v := range m {
		for _, n := range sel {
			if lower(k) == n {
				out[k] = v
			}
		}
	}
	return out
}
