/* error.c — the error slot (see include/util/sasae/error.h). */
#include "sasae/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sasae_error_set(sasae_error *err, int code, const char *file, long line, const char *fmt, ...)
{
	if (err == NULL)
		return code;
	err->code = code;
	snprintf(err->file, sizeof err->file, "%s", file ? file : "");
	err->line = line;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof err->message) { /* cut: do not end in the middle of a UTF-8 character */
		size_t len = strlen(err->message), lead = len;
		while (lead > 0 && len - lead < 4 && ((unsigned char)err->message[lead - 1] & 0xC0) == 0x80)
			lead--;
		if (lead > 0) {
			unsigned char c = (unsigned char)err->message[lead - 1];
			size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
			if (len - (lead - 1) < need)
				err->message[lead - 1] = '\0';
		}
	}
	return code;
}

void sasae_error_clear(sasae_error *err)
{
	if (err != NULL)
		memset(err, 0, sizeof *err);
}

int sasae_error_exit_status(int code)
{
	switch (code) {
	case SASAE_OK:
		return 0;
	case SASAE_EUSAGE:
		return 2;
	case SASAE_EDATA:
		return 65;
	case SASAE_ENOTFOUND:
		return 66;
	case SASAE_EIO:
		return 74;
	case SASAE_EUNAVAILABLE:
		return 69;
	case SASAE_EAUTH:
	case SASAE_EFORBIDDEN:
		return 77;
	case SASAE_ELOCKED:
		return 75;
	case SASAE_ECONFLICT:
		return 65;
	default:
		return 70;
	}
}

const char *sasae_error_name(int code)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
		{SASAE_OK, "ok"},           {SASAE_EUSAGE, "usage"},        {SASAE_EDATA, "data"},
		{SASAE_ENOTFOUND, "not-found"}, {SASAE_EIO, "io"},          {SASAE_ENOMEM, "no-memory"},
		{SASAE_EDB, "database"},    {SASAE_EINTERNAL, "internal"}, {SASAE_ECANCELLED, "cancelled"},
		{SASAE_EUNAVAILABLE, "unavailable"}, {SASAE_EAUTH, "auth"},  {SASAE_EFORBIDDEN, "forbidden"},
		{SASAE_ELOCKED, "locked"},  {SASAE_ECONFLICT, "conflict"},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].code == code)
			return names[i].name;
	return "internal";
}

char *sasae_error_format(const sasae_error *err, char *out, size_t n)
{
	if (n == 0)
		return out;
	if (err->file[0] && err->line > 0)
		snprintf(out, n, "%s:%ld: %s", err->file, err->line, err->message);
	else if (err->file[0])
		snprintf(out, n, "%s: %s", err->file, err->message);
	else
		snprintf(out, n, "%s", err->message);
	return out;
}
