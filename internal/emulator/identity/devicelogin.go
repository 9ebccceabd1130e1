package identity

import (
	"html/template"
	"net/http"
	"strings"
	"time"
)

// formTicketLifetime bounds how long a rendered form can be submitted.
const formTicketLifetime = 10 * time.Minute

// The device login pages follow microsoft.com/devicelogin in spirit: enter the code, see which app
// asks for which account, approve or decline. Every form carries a single-use random flowToken so that a
// page elsewhere cannot post a sign-in on the user's behalf; html/template escapes every value.
var pages = template.Must(template.New("layout").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:"Segoe UI",system-ui,sans-serif;background:#f2f2f2;margin:0}
main{background:#fff;max-width:440px;margin:48px auto;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:24px;font-weight:600;margin:0 0 16px}
label{display:block;margin:12px 0 4px}
input[type=text],select{width:100%;box-sizing:border-box;padding:6px;font-size:15px}
.buttons{margin-top:24px;display:flex;gap:8px;justify-content:flex-end}
button{min-width:108px;padding:6px 12px;font-size:15px}
button.primary{background:#0067b8;color:#fff;border:1px solid #0067b8}
.error{color:#e81123}
.note{color:#555;font-size:13px}
</style></head>
<body><main>
<p class="note">odshare emulator — not Microsoft</p>
{{template "body" .}}
</main></body></html>
{{define "code"}}
<h1>Enter code</h1>
<p>Enter the code displayed on your app or device.</p>
{{if .Error}}<p class="error" id="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/devicelogin">
<input type="hidden" name="flowToken" value="{{.FlowToken}}">
<label for="otc">Code</label>
<input type="text" id="otc" name="otc" value="{{.Code}}" autocomplete="off" autofocus required maxlength="20">
<div class="buttons"><button type="submit" id="next" class="primary">Next</button></div>
</form>
{{end}}
{{define "choose"}}
<input type="hidden" name="flowToken" value="{{.FlowToken}}">
<label for="account">Account</label>
<select id="account" name="account">
{{range .Users}}<option value="{{.UserPrincipalName}}"{{if eq .UserPrincipalName $.Selected}} selected{{end}}>{{.DisplayName}} ({{.UserPrincipalName}})</option>
{{end}}</select>
<div class="buttons">
<button type="submit" id="decline" name="action" value="decline">Decline</button>
<button type="submit" id="approve" name="action" value="approve" class="primary">Approve</button>
</div>
{{end}}
{{define "consent"}}
<h1>Are you trying to sign in to {{.App}}?</h1>
<p>Only continue if you downloaded the app from a source that you trust.</p>
<p>The app asks for: <span id="scopes">{{.Scopes}}</span></p>
<form method="post" action="/devicelogin/consent">
{{template "choose" .}}
</form>
{{end}}
{{define "authorize"}}
<h1>Sign in to {{.App}}</h1>
<p>The app asks for: <span id="scopes">{{.Scopes}}</span></p>
<p class="note">It will receive the answer at <span id="redirect">{{.Redirect}}</span>.</p>
<form method="post" action="{{.Action}}">
{{template "choose" .}}
</form>
{{end}}
{{define "formpost"}}
<h1 id="result">Working…</h1>
<p>Returning to the application.</p>
<form method="post" action="{{.Action}}" id="response">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<noscript><p>Script is disabled. Press Continue to return to the application.</p>
<div class="buttons"><button type="submit" id="continue" class="primary">Continue</button></div></noscript>
</form>
<script nonce="{{.Nonce}}">document.getElementById("response").submit();</script>
{{end}}
{{define "done"}}
<h1 id="result">{{.Heading}}</h1>
<p>{{.Message}}</p>
{{end}}
`))

type pageData struct {
	Title, Error, Code, FlowToken string
	App, Scopes, Selected         string
	Users                         []User
	Heading, Message              string

	// authorize and formpost pages
	Action, Redirect, Nonce string
	Fields                  []formField
}

type formField struct{ Name, Value string }

// pageSet holds one complete template per page: the layout with "body" bound to that page.
var pageSet = func() map[string]*template.Template {
	m := map[string]*template.Template{}
	for _, name := range []string{"code", "consent", "authorize", "formpost", "done"} {
		t := template.Must(pages.Clone())
		template.Must(t.New("body").Parse(`{{template "` + name + `" .}}`))
		m[name] = t
	}
	return m
}()

// pageCSP allows inline styles and forms that post back to the emulator only.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"

func (s *Server) render(w http.ResponseWriter, status int, name string, d pageData) {
	s.renderCSP(w, status, name, d, pageCSP)
}

func (s *Server) renderCSP(w http.ResponseWriter, status int, name string, d pageData, csp string) {
	t := pageSet[name]
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", csp)
	w.WriteHeader(status)
	_ = t.ExecuteTemplate(w, "layout", d)
}

// ticketLocked issues a single-use form token bound to userCode ("" for the code entry form).
func (s *Server) ticketLocked(userCode string) string {
	now := s.now()
	for k, t := range s.forms {
		if !now.Before(t.expires) {
			delete(s.forms, k)
		}
	}
	tok := randomString(24)
	s.forms[tok] = formTicket{userCode: userCode, expires: now.Add(formTicketLifetime)}
	return tok
}

// redeemTicketLocked consumes a form token; ok is false if it is unknown, used or stale.
func (s *Server) redeemTicketLocked(tok string) (formTicket, bool) {
	t, ok := s.forms[tok]
	if !ok {
		return formTicket{}, false
	}
	delete(s.forms, tok)
	return t, s.now().Before(t.expires)
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	tok := s.ticketLocked("")
	s.mu.Unlock()
	s.render(w, http.StatusOK, "code", pageData{Title: "Enter code", FlowToken: tok, Code: r.URL.Query().Get("otc")})
}

func (s *Server) sessionExpired(w http.ResponseWriter) {
	s.render(w, http.StatusBadRequest, "done", pageData{
		Title: "Session expired", Heading: "Your session has expired",
		Message: "This page was already used or is too old. Open /devicelogin again and re-enter the code.",
	})
}

// handleLoginCode takes the code from the first form and shows the consent form.
func (s *Server) handleLoginCode(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	code := r.PostForm.Get("otc")
	s.mu.Lock()
	if _, ok := s.redeemTicketLocked(r.PostForm.Get("flowToken")); !ok {
		s.mu.Unlock()
		s.sessionExpired(w)
		return
	}
	dc, err := s.pendingLocked(code)
	if err != nil {
		tok := s.ticketLocked("")
		s.mu.Unlock()
		s.render(w, http.StatusOK, "code", pageData{
			Title: "Enter code", FlowToken: tok, Code: code,
			Error: "That code didn't work. Check the code and try again.",
		})
		return
	}
	var users []User
	for _, u := range s.users {
		if dc.tenantID == "" || dc.tenantID == u.TenantID {
			users = append(users, u)
		}
	}
	tok := s.ticketLocked(dc.userCode)
	d := pageData{
		Title: "Sign in", FlowToken: tok, App: appLabel(dc.clientID), Scopes: joinScopes(dc.scopes),
		Users: users, Selected: s.defaultUser,
	}
	s.mu.Unlock()
	s.render(w, http.StatusOK, "consent", d)
}

func appLabel(clientID string) string {
	switch strings.ToLower(clientID) {
	case "14d82eec-204b-4c2f-b7e8-296a70dab67e":
		return "Microsoft Graph Command Line Tools"
	case "04b07795-8ddb-461a-bbee-02f9e1bf7b46":
		return "Microsoft Azure CLI"
	}
	return "the application " + clientID
}

// handleLoginConsent records the user's answer; the device's next poll then gets a token or
// authorization_declined.
func (s *Server) handleLoginConsent(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	t, ok := s.redeemTicketLocked(r.PostForm.Get("flowToken"))
	if !ok || t.userCode == "" {
		s.mu.Unlock()
		s.sessionExpired(w)
		return
	}
	var err error
	approve := r.PostForm.Get("action") == "approve"
	if approve {
		err = s.approveLocked(t.userCode, r.PostForm.Get("account"))
	} else {
		var dc *deviceCode
		if dc, err = s.pendingLocked(t.userCode); err == nil {
			dc.state = stateDeclined
		}
	}
	var app string
	if dc, found := s.byUser[normUserCode(t.userCode)]; found {
		app = appLabel(dc.clientID)
	}
	s.mu.Unlock()
	switch {
	case err != nil:
		s.render(w, http.StatusBadRequest, "done", pageData{Title: "Sign in failed", Heading: "Sign in failed", Message: strings.TrimPrefix(err.Error(), "identity: ")})
	case approve:
		s.render(w, http.StatusOK, "done", pageData{Title: "Signed in", Heading: "You have signed in", Message: "You have signed in to " + app + " on your device. You may now close this window."})
	default:
		s.render(w, http.StatusOK, "done", pageData{Title: "Declined", Heading: "You declined", Message: "You declined to sign in to " + app + " on your device. You may now close this window."})
	}
}
