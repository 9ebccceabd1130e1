package box

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/odshare/odshare/internal/bearer"
)

// maxNotReady bounds the 202 "not ready yet" answers one ContentURL waits out.
const maxNotReady = 5

// ContentURL asks for a file's download URL: GET /files/{id}/content, with the BoxApi header when
// link is given (a file reached through a shared link). Box answers 302 with a Location on
// dl.boxcloud.com that is not persistent [OA get_files_id_content]; the redirect is not followed
// with the token: the URL is returned for Download, which fetches it without one. A 202 (the file
// was uploaded a moment ago and is not ready) is waited out after its Retry-After, a few times.
// The URL is a credential until it expires: it never appears in an error or a debug line.
func (c *Client) ContentURL(ctx context.Context, id string, link *LinkAccess) (string, error) {
	p, err := ItemPath(File, id)
	if err != nil {
		return "", err
	}
	p += "/content"
	hdr, err := boxAPIHeader(link)
	if err != nil {
		return "", err
	}
	method, target, err := c.target(&Request{Path: p})
	if err != nil {
		return "", err
	}
	for tries := 1; ; tries++ {
		resp, err := c.send.Send(ctx, &bearer.Call{
			Method: method, URL: target, Header: hdr, NoRedirect: true,
			Fail: func(status int, h http.Header, body []byte) error {
				return NewError(method, target, status, h, body)
			},
		})
		if err != nil {
			return "", err
		}
		switch {
		case resp.StatusCode == http.StatusAccepted && tries < maxNotReady:
			wait := time.Second
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
				wait = min(time.Duration(s)*time.Second, time.Minute)
			}
			if c.send.OnWait != nil && wait > 0 {
				c.send.OnWait(ctx, Wait{Reason: "Box is preparing the file (HTTP 202)", Delay: wait})
			}
			if err := c.send.Sleep(ctx, wait); err != nil {
				return "", err
			}
			continue
		case resp.StatusCode < 300 || resp.StatusCode >= 400:
			return "", unexpectedStatus("GET "+p, resp)
		}
		return bearer.DownloadRedirect("GET "+p, "Box", target, resp.StatusCode, resp.Header.Get("Location"))
	}
}

// Download fetches a download URL (ContentURL's) without the token and returns the response
// unread (bearer.Sender.Download: no body bound, no whole-request timeout); header carries Range
// for a resume. The debug line names only the URL's origin.
func (c *Client) Download(ctx context.Context, rawURL string, header http.Header) (*http.Response, error) {
	return c.send.Download(ctx, rawURL, header)
}
