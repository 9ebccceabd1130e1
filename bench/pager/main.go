// Command pager is the peer `make bench` measures `odshare share children -o ndjson` against: the
// least a Go program can do to print a Graph folder listing as JSON Lines. It GETs the first page
// with net/http, decodes each page with encoding/json into its raw items and @odata.nextLink,
// writes every item's JSON as Graph sent it on a line of its own (flushed once a page, as odshare
// does), and follows the nextLink until there is none. No retries, bounds or checks: a floor, not a
// client.
//
//	pager -token T URL
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
)

func main() {
	token := flag.String("token", "", "bearer token")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: pager -token T URL")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *token); err != nil {
		fmt.Fprintln(os.Stderr, "pager:", err)
		os.Exit(1)
	}
}

func run(url, token string) error {
	out := bufio.NewWriter(os.Stdout)
	for url != "" {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		var page struct {
			Value    []json.RawMessage `json:"value"`
			NextLink string            `json:"@odata.nextLink"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		for _, item := range page.Value {
			// A write error sticks in out; Flush returns it.
			_, _ = out.Write(item)
			_ = out.WriteByte('\n')
		}
		if err := out.Flush(); err != nil {
			return err
		}
		url = page.NextLink
	}
	return nil
}
