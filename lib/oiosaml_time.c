
/*
 * xs:dateTime in UTC, without the C library's time zone machinery (no
 * mktime, no localtime: nothing that reads TZ or /etc/localtime).
 */


#include <stdio.h>
#include <string.h>

#include "oiosaml_internal.h"


static int oiosaml_digits(const char *s, size_t n, int *v);


/* days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant) */
time_t
oiosaml_timegm(int year, int mon, int mday, int hour, int min, int sec)
{
    int        y, era;
    unsigned   yoe, doy, doe;
    long long  days;

    y = year - (mon <= 2);
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned) (y - era * 400);
    doy = (153 * (unsigned) (mon + (mon > 2 ? -3 : 9)) + 2) / 5
          + (unsigned) mday - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    days = (long long) era * 146097 + (long long) doe - 719468;

    return (time_t) (days * 86400 + hour * 3600 + min * 60 + sec);
}


void
oiosaml_time_format(time_t t, char *buf)
{
    int        year, mon, mday;
    char       tmp[64];
    long long  days, secs, z, era;
    unsigned   doe, yoe, doy, mp;

    days = (long long) t / 86400;
    secs = (long long) t % 86400;

    if (secs < 0) {
        secs += 86400;
        days--;
    }

    z = days + 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned) (z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    mday = (int) (doy - (153 * mp + 2) / 5 + 1);
    mon = (int) (mp < 10 ? mp + 3 : mp - 9);
    year = (int) (yoe + era * 400 + (mon <= 2));

    if (year < 0 || year > 9999) {
        year = 9999;
    }

    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02dZ", year, mon,
             mday, (int) (secs / 3600), (int) (secs / 60 % 60),
             (int) (secs % 60));
    memcpy(buf, tmp, 21);
    buf[20] = '\0';
}


oiosaml_status_t
oiosaml_time_parse(const char *s, size_t len, time_t *t)
{
    int          year, mon, mday, hour, min, sec, oh, om, sign;
    size_t       i;
    static const int  mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
                                  30, 31 };

    /* YYYY-MM-DDTHH:MM:SS */
    if (len < 19
        || oiosaml_digits(s, 4, &year) != 0 || s[4] != '-'
        || oiosaml_digits(s + 5, 2, &mon) != 0 || s[7] != '-'
        || oiosaml_digits(s + 8, 2, &mday) != 0 || s[10] != 'T'
        || oiosaml_digits(s + 11, 2, &hour) != 0 || s[13] != ':'
        || oiosaml_digits(s + 14, 2, &min) != 0 || s[16] != ':'
        || oiosaml_digits(s + 17, 2, &sec) != 0)
    {
        return OIOSAML_BAD_MESSAGE;
    }

    if (year < 1970 || year > 9999 || mon < 1 || mon > 12 || mday < 1
        || mday > mdays[mon - 1] || hour > 23 || min > 59 || sec > 60)
    {
        return OIOSAML_BAD_MESSAGE;
    }

    i = 19;

    /* fractional seconds are ignored (truncated) */
    if (i < len && s[i] == '.') {
        i++;

        if (i == len || s[i] < '0' || s[i] > '9') {
            return OIOSAML_BAD_MESSAGE;
        }

        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
    }

    *t = oiosaml_timegm(year, mon, mday, hour, min, sec > 59 ? 59 : sec);

    if (i == len) {
        return OIOSAML_OK;
    }

    if (s[i] == 'Z' && i + 1 == len) {
        return OIOSAML_OK;
    }

    if ((s[i] == '+' || s[i] == '-') && i + 6 == len
        && oiosaml_digits(s + i + 1, 2, &oh) == 0 && s[i + 3] == ':'
        && oiosaml_digits(s + i + 4, 2, &om) == 0 && oh <= 14 && om <= 59)
    {
        sign = (s[i] == '+') ? 1 : -1;
        *t -= sign * (oh * 3600 + om * 60);
        return OIOSAML_OK;
    }

    return OIOSAML_BAD_MESSAGE;
}


static int
oiosaml_digits(const char *s, size_t n, int *v)
{
    size_t  i;

    *v = 0;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }

        *v = *v * 10 + (s[i] - '0');
    }

    return 0;
}


oiosaml_status_t
oiosaml_parse_time(const char *s, size_t len, time_t *t)
{
    return oiosaml_time_parse(s, len, t);
}


void
oiosaml_format_time(time_t t, char *buf)
{
    oiosaml_time_format(t, buf);
}
