/*
 * test_err.c: err.c's mapping of errno to an error code: a read-only
 * file system, a full disk or a spent quota is E_UNAVAIL (503 with the
 * reason), not E_INTERNAL (a bare 500); other errnos and other codes stay.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "piraeus.h"
#include "tap.h"

/* err_errno's code for code with errno set to errnum. */
static enum errc
code_with(enum errc code, int errnum)
{
	struct err e;

	err_clear(&e);
	errno = errnum;
	err_errno(&e, code, "mkstemp in %s", "/s/.tmp");
	return e.code;
}

int
main(void)
{
	struct err e;

	is_int(code_with(E_INTERNAL, EROFS), E_UNAVAIL, "EROFS is E_UNAVAIL");
	is_int(code_with(E_INTERNAL, ENOSPC), E_UNAVAIL, "ENOSPC is E_UNAVAIL");
	is_int(code_with(E_INTERNAL, EDQUOT), E_UNAVAIL, "EDQUOT is E_UNAVAIL");
	is_int(code_with(E_INTERNAL, EACCES), E_INTERNAL, "EACCES stays E_INTERNAL");
	is_int(code_with(E_INTERNAL, EIO), E_INTERNAL, "EIO stays E_INTERNAL");
	is_int(code_with(E_UPSTREAM, ENOSPC), E_UPSTREAM, "another code stays");
	is_int(err_errno_code(E_INTERNAL, ENOSPC), E_UNAVAIL,
	    "err_errno_code: ENOSPC");
	is_int(err_errno_code(E_TIMEOUT, EROFS), E_TIMEOUT,
	    "err_errno_code: not E_INTERNAL stays");
	err_clear(&e);
	errno = ENOSPC;
	err_errno(&e, E_INTERNAL, "write %s", "x");
	ok(strstr(e.msg, strerror(ENOSPC)) != NULL, "the message has the reason");
	return tap_done();
}
