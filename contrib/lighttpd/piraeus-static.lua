-- contrib/lighttpd/piraeus-static.lua -- lighttpd mod_magnet hook (Debian
-- package lighttpd-modules-lua) run at the physical-path stage.
--
-- A request that maps to an existing .info/.mod/.zip file under the storage
-- root is a static hit: lighttpd sends the file itself, and it never
-- changes, so it gets the responder's immutable Cache-Control (DESIGN 6).
-- Everything else (misses, @v/list, pages) goes on to the responder, whose
-- own headers stay untouched: a 404 must never be cached as immutable.
-- mod_setenv cannot make this distinction: it decides before lighttpd has
-- looked at the file system.
local r = lighty.r
local path = r.req_attr["physical.path"]
local function static(p)
	return p:sub(-5) == ".info" or p:sub(-4) == ".mod" or p:sub(-4) == ".zip"
end
if path and static(path) then
	local st = lighty.c.stat(path)
	if st and st.is_file then
		r.resp_header["Cache-Control"] = "public, max-age=31536000, immutable"
	end
elseif path and r.req_attr["uri.path"]:sub(1, 8) == "/vulndb/" then
	-- the vulnerability database changes with each sync: kept an hour,
	-- then revalidated (Last-Modified, ETag)
	local st = lighty.c.stat(path)
	if st and st.is_file then
		r.resp_header["Cache-Control"] = "public, max-age=3600, must-revalidate"
	end
end
return 0
