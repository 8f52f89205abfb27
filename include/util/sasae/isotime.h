/*
 * isotime.h — the ISO 8601 UTC times the store keeps ("2026-11-24T05:00:00Z", SQLite's
 * strftime('%Y-%m-%dT%H:%M:%SZ')) as seconds since the epoch, and back to a calendar date, without
 * the C library's time zone state (timegm is not in C11 or POSIX).  Proleptic Gregorian calendar.
 */
#ifndef SASAE_ISOTIME_H
#define SASAE_ISOTIME_H

#include <stdbool.h>

/* Seconds since 1970-01-01T00:00:00Z of iso ("YYYY-MM-DDTHH:MM:SSZ") into *t; false when iso is NULL
   or not of that form (*t untouched). */
bool sasae_isotime_parse(const char *iso, long long *t);

/* The calendar date of t (seconds since the epoch, already shifted to the wanted zone). */
void sasae_isotime_date(long long t, int *year, int *month, int *day);

#endif
