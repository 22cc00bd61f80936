/*
 * rfc3339.c: RFC 3339 date-times (the Time of an .info file, the
 * Timestamp and "since" of /index) <-> nanoseconds since the epoch.
 * What is accepted is what the go command's json.Unmarshal of a Time
 * accepts (time.parseStrictRFC3339): upper-case "T" and "Z", a day
 * within its month, seconds 0 to 59 (no leap second), offsets up to
 * 23:59.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "piraeus.h"

#define NS_PER_SEC	1000000000LL

/* n decimal digits at *p into *out; advances *p. */
static int
rfc3339_digits(const char **p, int n, int *out)
{
	int v = 0;

	while (n-- > 0) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (*(*p)++ - '0');
	}
	*out = v;
	return 0;
}

static int
rfc3339_expect(const char **p, const char *chars)
{
	if (**p == '\0' || strchr(chars, **p) == NULL)
		return -1;
	(*p)++;
	return 0;
}

/* The days of month mo (1-12) of year y, proleptic Gregorian. */
static int
rfc3339_mdays(int y, int mo)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (mo == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[mo - 1];
}

/* RFC 3339 date-time to nanoseconds since the epoch. */
int
rfc3339_parse(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	int64_t ns = 0, scale = NS_PER_SEC;
	struct tm tm;
	time_t t;

	if (rfc3339_digits(&s, 4, &y) || rfc3339_expect(&s, "-") ||
	    rfc3339_digits(&s, 2, &mo) || rfc3339_expect(&s, "-") ||
	    rfc3339_digits(&s, 2, &d) || rfc3339_expect(&s, "T") ||
	    rfc3339_digits(&s, 2, &h) || rfc3339_expect(&s, ":") ||
	    rfc3339_digits(&s, 2, &mi) || rfc3339_expect(&s, ":") ||
	    rfc3339_digits(&s, 2, &sec))
		return -1;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9') {
			if (scale > 1) {
				scale /= 10;
				ns += (*s - '0') * scale;
			}
			s++;
		}
	}
	if (*s == 'Z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (rfc3339_digits(&s, 2, &oh) || rfc3339_expect(&s, ":") ||
		    rfc3339_digits(&s, 2, &om))
			return -1;
	} else
		return -1;
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 ||
	    d > rfc3339_mdays(y, mo) || h > 23 || mi > 59 || sec > 59 ||
	    oh > 23 || om > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	t -= (time_t)sign * (oh * 3600 + om * 60);
	/* Nanoseconds in an int64_t reach the year 2262: clamp beyond. */
	if (t >= (time_t)(INT64_MAX / NS_PER_SEC))
		*out = INT64_MAX;
	else if (t <= (time_t)(INT64_MIN / NS_PER_SEC))
		*out = INT64_MIN;
	else
		*out = (int64_t)t * NS_PER_SEC + ns;
	return 0;
}

/* Nanoseconds to RFC 3339 UTC with the fraction trimmed of zeros. */
void
rfc3339_format(int64_t ns, char *out, size_t outsz)
{
	time_t t = (time_t)(ns / NS_PER_SEC);
	long frac = (long)(ns % NS_PER_SEC);
	struct tm tm;
	size_t n;
	int i;

	gmtime_r(&t, &tm);
	n = strftime(out, outsz, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac > 0 && n + 11 < outsz) {
		n += (size_t)snprintf(out + n, outsz - n, ".%09ld", frac);
		for (i = 0; i < 8 && out[n - 1] == '0'; i++)
			out[--n] = '\0';
	}
	snprintf(out + n, outsz - n, "Z");
}
