package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// decodePage reads one page of a Graph collection: the items of its "value" array and its
// "@odata.nextLink". It makes one validating pass over the body (jsontext, the tokenizer of
// encoding/json/v2), and each item is a slice of body, not a copy: what a listing costs is one scan
// of what Graph sent, however the items are printed afterwards. Every item is therefore valid
// JSON, as Graph sent it (whitespace and all).
//
// It reads what encoding/json would: member names matched case-insensitively, the last of a
// repeated member winning, unknown members skipped (but still validated), invalid UTF-8 inside
// strings kept as sent. A page whose "value" is missing or null is an error, as is anything but
// an object, or anything after it.
func decodePage(body []byte) (items []json.RawMessage, next string, err error) {
	items, next, _, err = decodeDeltaPage(body)
	return items, next, err
}

// decodeDeltaPage is decodePage that also reads "@odata.deltaLink", which the last page of a
// delta enumeration carries instead of a nextLink.
func decodeDeltaPage(body []byte) (items []json.RawMessage, next, delta string, err error) {
	dec := jsontext.NewDecoder(bytes.NewBuffer(body), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	if tok, err := dec.ReadToken(); err != nil {
		return nil, "", "", err
	} else if tok.Kind() != '{' {
		return nil, "", "", fmt.Errorf("the page is a JSON %s, not an object", kindName(tok.Kind()))
	}
	found := false
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return nil, "", "", err
		}
		switch n := name.String(); {
		case strings.EqualFold(n, "value"):
			items, err = decodeItems(dec, body, items[:0])
			if err != nil {
				return nil, "", "", err
			}
			found = items != nil
		case strings.EqualFold(n, "@odata.nextLink"), strings.EqualFold(n, "@odata.deltaLink"):
			v, err := dec.ReadToken()
			if err != nil {
				return nil, "", "", err
			}
			link := ""
			switch v.Kind() {
			case '"':
				link = v.String()
			case 'n':
			default:
				return nil, "", "", fmt.Errorf("%s is a JSON %s, not a string", n, kindName(v.Kind()))
			}
			if strings.EqualFold(n, "@odata.nextLink") {
				next = link
			} else {
				delta = link
			}
		default:
			if err := dec.SkipValue(); err != nil {
				return nil, "", "", err
			}
		}
	}
	if _, err := dec.ReadToken(); err != nil { // the closing '}'
		return nil, "", "", err
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the page's JSON object")
		}
		return nil, "", "", err
	}
	if !found {
		return nil, "", "", errNoValue
	}
	return items, next, delta, nil
}

// errNoValue is a page without a "value" array (or with "value": null).
var errNoValue = errors.New(`the page has no "value" array`)

// decodeItems reads the "value" member: an array (each element a slice of body appended to
// items, which is returned non-nil) or null (nil, as encoding/json leaves a nil slice).
func decodeItems(dec *jsontext.Decoder, body []byte, items []json.RawMessage) ([]json.RawMessage, error) {
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case 'n':
		return nil, nil
	case '[':
	default:
		return nil, fmt.Errorf(`"value" is a JSON %s, not an array`, kindName(tok.Kind()))
	}
	if items == nil {
		items = []json.RawMessage{}
	}
	for dec.PeekKind() != ']' {
		v, err := dec.ReadValue()
		if err != nil {
			return nil, err
		}
		end := int(dec.InputOffset())
		start := end - len(v)
		items = append(items, json.RawMessage(body[start:end:end]))
	}
	if _, err := dec.ReadToken(); err != nil { // the closing ']'
		return nil, err
	}
	return items, nil
}

// kindName names a JSON kind in an error.
func kindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "string"
	case '0':
		return "number"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	case '[':
		return "array"
	case '{':
		return "object"
	}
	return "value"
}
