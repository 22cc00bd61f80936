#!/bin/sh
# cgi-bin/piraeus.cgi -- CGI entry point of piraeus for shared hosts.
#
# piraeus.fcgi answers one request from the CGI environment when it is not
# started on a FastCGI socket; this wrapper only tells it where its
# configuration is.  Edit the two paths below:
#   PIRAEUS_FCGI    the piraeus.fcgi program
#   PIRAEUS_CONFIG  its INI file (storage root, state directory, upstream),
#                   used unless the server already sets PIRAEUS_CONFIG
#                   (SetEnv PIRAEUS_CONFIG /path/piraeus.ini)
# Keep the INI file and the state directory outside the document root.  See
# cgi-bin/.htaccess for the rest of the set-up.
PIRAEUS_FCGI=/home/example/piraeus/bin/piraeus.fcgi
PIRAEUS_CONFIG=${PIRAEUS_CONFIG:-/home/example/piraeus/state/piraeus.ini}
export PIRAEUS_CONFIG
exec "$PIRAEUS_FCGI"
