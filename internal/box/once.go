package box

import (
	"context"
	"errors"
	"net/http"

	"github.com/odshare/odshare/internal/bearer"
)

// Answer is one of Box's answers as sent, whatever its status: for an engine that waits out
// throttling and retries itself (odshare's bulk runs, which pace every request by what Box's 429s
// say).
type Answer struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// answerError carries a failed answer out of the sender; it is the Box error to errors.As.
type answerError struct {
	a   *Answer
	err *Error
}

func (e *answerError) Error() string      { return e.err.Error() }
func (e *answerError) Unwrap() error      { return e.err }
func (e *answerError) Unauthorized() bool { return e.err.Unauthorized() }

// Once sends req once and returns Box's answer, whatever its status: it neither waits out throttling
// nor retries a 5xx or a dropped connection (the caller does, and paces itself). A 401 still renews
// the token once and is sent again, as Do does; one that stays is returned as the *Error (IsUnauthorized),
// as is a credential that gives no token (a TokenError). A transport failure is returned as is: the
// request may or may not have reached Box.
func (c *Client) Once(ctx context.Context, req *Request) (*Answer, error) {
	method, target, err := c.target(req)
	if err != nil {
		return nil, err
	}
	resp, err := c.once.Send(ctx, &bearer.Call{
		Method: method, URL: target, Header: req.Header, Body: req.Body,
		Fail: func(status int, h http.Header, body []byte) error {
			return &answerError{a: &Answer{StatusCode: status, Header: h, Body: body}, err: NewError(method, target, status, h, body)}
		},
	})
	if err == nil {
		return &Answer{StatusCode: resp.StatusCode, Header: resp.Header, Body: resp.Body}, nil
	}
	var ae *answerError
	if errors.As(err, &ae) && ae.a.StatusCode != http.StatusUnauthorized {
		return ae.a, nil
	}
	return nil, err
}

// RetrySettings are how the client waits between attempts, for an engine that waits itself.
type RetrySettings = bearer.RetrySettings

// Retry returns the client's retry settings.
func (c *Client) Retry() RetrySettings { return c.send.Retry() }
