/*
 * ep_status.c: /status, one small HTML page for people: what storage
 * holds, the hit ratio, the fetches in flight, the last fetches and
 * failures, and the vulnerable versions [policy] vulnerable served or
 * refused lately (from the shared counters, metrics.c, and the index).
 *
 * Self-contained (inline CSS, no script, no external resource; the
 * Content-Security-Policy says so), readable on a phone and a desktop
 * (viewport, fluid width, tables that scroll on their own), and every
 * byte it prints that it did not write itself is escaped: & < > " ' as
 * entities, control and non-ASCII bytes as "?".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"

#define EP_STATUS_MAX	(256 * 1024)	/* the page's cap */

static const char ep_status_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, "
	"initial-scale=1\">\n<title>piraeus status</title>\n<style>\n"
	"body{font-family:system-ui,sans-serif;margin:0;padding:1rem;"
	"color:#222;background:#fafafa;line-height:1.4}\n"
	"main{max-width:60rem;margin:0 auto}\n"
	"h1{font-size:1.4rem;margin:0 0 1rem}\n"
	"h2{font-size:1.1rem;margin:1.5rem 0 .5rem}\n"
	".cards{display:grid;grid-template-columns:repeat(auto-fit,"
	"minmax(9rem,1fr));gap:.6rem}\n"
	".card{background:#fff;border:1px solid #ddd;border-radius:6px;"
	"padding:.6rem}\n"
	".card b{display:block;font-size:1.3rem}\n"
	".card span{font-size:.85rem;color:#555}\n"
	".scroll{overflow-x:auto}\n"
	"table{border-collapse:collapse;width:100%;background:#fff;"
	"font-size:.9rem}\n"
	"th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid "
	"#eee;white-space:nowrap}\n"
	"td.why{white-space:normal;word-break:break-word;min-width:12rem}\n"
	".ok{color:#176317}.bad{color:#a31515}\n"
	/* A phone: each fetch a small card, each cell named by its label. */
	"@media (max-width:40rem){.scroll table,.scroll tbody,.scroll tr,"
	".scroll td{display:block}.scroll th{display:none}"
	".scroll tr{border-bottom:1px solid #ddd;padding:.3rem 0}"
	".scroll td{border:0;padding:.1rem .5rem;white-space:normal;"
	"word-break:break-word;min-width:0}"
	".scroll td::before{content:attr(data-label) \": \";color:#555;"
	"font-size:.8rem}}\n"
	"</style></head><body><main>\n<h1>piraeus status</h1>\n";

/* A byte count for people: "12.3 MiB". */
static void
ep_status_size(long long n, char *out, size_t outsz)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	size_t u = 0;

	while (v >= 1024 && u + 1 < NITEMS(units)) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, outsz, "%lld B", n);
	else
		snprintf(out, outsz, "%.1f %s", v, units[u]);
}

/* One figure card. */
static void
ep_status_card(struct buf *b, const char *value, const char *label,
    struct err *e)
{
	buf_puts(b, "<div class=\"card\"><b>", e);
	buf_puts_html(b, value, e);
	buf_puts(b, "</b><span>", e);
	buf_puts_html(b, label, e);
	buf_puts(b, "</span></div>\n", e);
}

/* The first cells of a row of the recent tables: when (UTC), module and
 * version, escaped. */
static void
ep_status_row_start(struct buf *b, int64_t when, const char *module,
    const char *version, struct err *e)
{
	char at[32];
	struct tm tm;
	time_t t = (time_t)when;

	gmtime_r(&t, &tm);
	strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S", &tm);
	buf_puts(b, "<tr><td data-label=\"When (UTC)\">", e);
	buf_puts_html(b, at, e);
	buf_puts(b, "</td><td data-label=\"Module\">", e);
	buf_puts_html(b, module, e);
	buf_puts(b, "</td><td data-label=\"Version\">", e);
	buf_puts_html(b, version, e);
}

/* The recent fetches, newest first; only failures when failures. */
static void
ep_status_fetches(struct buf *b, const struct metrics_data *d,
    int failures, struct err *e)
{
	const struct metrics_event *ev;
	char ms[32];
	size_t i, shown = 0;

	buf_puts(b, "<div class=\"scroll\"><table><tr><th>When (UTC)</th>"
	    "<th>Module</th><th>Version</th><th>Upstream</th><th>Result</th>"
	    "<th>ms</th>", e);
	if (failures)
		buf_puts(b, "<th>Why</th>", e);
	buf_puts(b, "</tr>\n", e);
	for (i = 0; i < METRICS_RECENT; i++) {
		ev = &d->events[(d->next_event + METRICS_RECENT - 1 - i) %
		    METRICS_RECENT];
		if (ev->seq == 0 || ev->when == 0 ||
		    (failures && ev->result == METRICS_OK))
			continue;
		snprintf(ms, sizeof(ms), "%u", ev->ms);
		ep_status_row_start(b, ev->when, ev->module, ev->version, e);
		buf_puts(b, "</td><td data-label=\"Upstream\">", e);
		buf_puts_html(b, ev->upstream, e);
		buf_puts(b, ev->result == METRICS_OK ?
		    "</td><td data-label=\"Result\" class=\"ok\">" :
		    "</td><td data-label=\"Result\" class=\"bad\">", e);
		buf_puts_html(b, metrics_result_name(
		    (enum metrics_result)ev->result), e);
		buf_puts(b, "</td><td data-label=\"ms\">", e);
		buf_puts_html(b, ms, e);
		if (failures) {
			buf_puts(b, "</td><td data-label=\"Why\" "
			    "class=\"why\">", e);
			buf_puts_html(b, ev->why, e);
		}
		buf_puts(b, "</td></tr>\n", e);
		shown++;
	}
	buf_puts(b, "</table></div>\n", e);
	if (shown == 0)
		buf_puts(b, failures ? "<p>No failures recorded.</p>\n" :
		    "<p>No fetches recorded.</p>\n", e);
}

/* [policy] vulnerable's mirror: its "modified", or that there is none
 * (nothing is refused then) or that it cannot be read. */
static void
ep_status_mirror(struct buf *b, struct proxy *px, struct err *e)
{
	struct err ve;

	if (px->cfg.vulnerable == VULN_ALLOW)
		return;
	err_clear(&ve);
	switch (vulnview_refresh(&px->vuln, px->cfg.storage_root, &ve)) {
	case 0:
		ep_status_card(b, vulnview_modified_at(&px->vuln),
		    "vulnerability database (modified)", e);
		break;
	case 1:
		ep_status_card(b, "none", "no vulnerability database mirror: "
		    "[policy] vulnerable refuses nothing", e);
		break;
	default:
		ep_status_card(b, "?", "vulnerability database not readable",
		    e);
		break;
	}
}

/* The versions [policy] vulnerable decided on lately, newest first. */
static void
ep_status_vulns(struct buf *b, const struct metrics_data *d, struct err *e)
{
	const struct metrics_vuln_event *ev;
	size_t i, shown = 0;

	buf_puts(b, "<div class=\"scroll\"><table><tr><th>When (UTC)</th>"
	    "<th>Module</th><th>Version</th><th>Decision</th><th>Ids</th>"
	    "</tr>\n", e);
	for (i = 0; i < METRICS_VULN_RECENT; i++) {
		ev = &d->vulns[(d->next_vuln + METRICS_VULN_RECENT - 1 - i) %
		    METRICS_VULN_RECENT];
		if (ev->seq == 0 || ev->when == 0)
			continue;
		ep_status_row_start(b, ev->when, ev->module, ev->version, e);
		buf_puts(b, ev->decision == METRICS_VULN_DENY ?
		    "</td><td data-label=\"Decision\" class=\"ok\">" :
		    "</td><td data-label=\"Decision\" class=\"bad\">", e);
		buf_puts_html(b, metrics_vuln_name(
		    (enum metrics_vuln)ev->decision), e);
		buf_puts(b, "</td><td data-label=\"Ids\" class=\"why\">", e);
		buf_puts_html(b, ev->ids, e);
		buf_puts(b, "</td></tr>\n", e);
		shown++;
	}
	buf_puts(b, "</table></div>\n", e);
	if (shown == 0)
		buf_puts(b, "<p>No vulnerable version asked for.</p>\n", e);
}

int
ep_status(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	struct metrics_data *d;
	struct index_stats s;
	struct buf b;
	struct err be;
	char v[64];
	unsigned long long hit, all;
	int have, rc;

	if (ep_metrics_allowed(px, r, e) == -1)
		return -1;
	if ((d = malloc(sizeof(*d))) == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	have = ep_metrics_read(px, d, &s) == 0;
	buf_init(&b, EP_STATUS_MAX);
	err_clear(&be);
	buf_puts(&b, ep_status_head, &be);
	buf_puts(&b, "<div class=\"cards\">\n", &be);
	if (have) {
		ep_status_size(s.zip_bytes, v, sizeof(v));
		ep_status_card(&b, v, "storage (zips)", &be);
		snprintf(v, sizeof(v), "%lld", (long long)s.modules);
		ep_status_card(&b, v, "modules", &be);
		snprintf(v, sizeof(v), "%lld", (long long)s.versions);
		ep_status_card(&b, v, "versions", &be);
		snprintf(v, sizeof(v), "%lld", (long long)s.locks);
		ep_status_card(&b, v, "fetches in flight", &be);
	} else
		ep_status_card(&b, "?", "index not readable", &be);
	hit = d->outcomes[OUTCOME_HIT];
	all = hit + d->outcomes[OUTCOME_FETCHED] +
	    d->outcomes[OUTCOME_WAITED] + d->outcomes[OUTCOME_STALE];
	if (all > 0)
		snprintf(v, sizeof(v), "%.1f%%", 100.0 * (double)hit /
		    (double)all);
	else
		snprintf(v, sizeof(v), "-");
	ep_status_card(&b, v, "hit ratio", &be);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)
	    d->counters[METRICS_VERIFY_FAILURES]);
	ep_status_card(&b, v, "verification failures", &be);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)
	    d->vuln[METRICS_VULN_WARN]);
	ep_status_card(&b, v, "vulnerable versions served (warn)", &be);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)
	    d->vuln[METRICS_VULN_DENY]);
	ep_status_card(&b, v, "vulnerable versions refused", &be);
	ep_status_mirror(&b, px, &be);
	buf_puts(&b, "</div>\n<h2>Last fetches</h2>\n", &be);
	ep_status_fetches(&b, d, 0, &be);
	buf_puts(&b, "<h2>Failures</h2>\n", &be);
	ep_status_fetches(&b, d, 1, &be);
	buf_puts(&b, "<h2>Vulnerable versions</h2>\n", &be);
	ep_status_vulns(&b, d, &be);
	buf_puts(&b, "<p><small>piraeus ", &be);
	buf_puts_html(&b, piraeus_version, &be);
	buf_puts(&b, "</small></p>\n</main></body></html>\n", &be);
	free(d);
	if (be.code != E_OK) {
		buf_free(&b);
		return err_set(e, be.code, "%s", be.msg);
	}
	response_header(rs, "Content-Security-Policy", "default-src 'none'; "
	    "style-src 'unsafe-inline'");
	rc = response_body(rs, 200, "text/html; charset=utf-8", CACHE_NONE,
	    b.data, b.len);
	buf_free(&b);
	return rc;
}
