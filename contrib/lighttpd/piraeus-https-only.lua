-- contrib/lighttpd/piraeus-https-only.lua -- lighttpd mod_magnet hook for
-- the plain http port of piraeus-auth.conf.
--
-- Credentials are accepted over https only, so plain http never asks for
-- them: /healthz (the request as the client sent it, before piraeus.conf
-- rewrote it; query aside) goes on to the responder, anything else gets 403 with a text body that says why
-- (the go command shows a text/plain body in its error).
local r = lighty.r
local uri = r.req_attr["request.orig-uri"] or ""
if uri:match("^[^?]*") == "/healthz" then
	return 0
end
r.resp_header["Content-Type"] = "text/plain; charset=utf-8"
r.resp_body.set({ "piraeus: this proxy takes credentials over https only; use its https:// URL\n" })
return 403
