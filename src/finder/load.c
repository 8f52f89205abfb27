/*
 * load.c — the finder's data files as the database holds them (include/core/sasae/finder.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/finder.h"

int sasae_finder_data_load(sasae_tag_data **out, sasae_store *s, const sasae_store_file *given, sasae_error *err)
{
	*out = NULL;
	sasae_store_file stored[SASAE_NTAGFILES] = {0};
	sasae_tag_source src[SASAE_NTAGFILES];
	char names[SASAE_NTAGFILES][300];
	int rc = 0;
	for (int k = 0; k < SASAE_NTAGFILES && rc == 0; k++) {
		const char *name = sasae_tag_file_name(k);
		if (given && given[k].text) {
			src[k] = (sasae_tag_source){given[k].source ? given[k].source : name, given[k].text,
						    given[k].len};
			continue;
		}
		if ((rc = sasae_store_finder_file(s, name, &stored[k], err)) != 0)
			break;
		if (stored[k].text) {
			/* messages name the file the office loaded, so that they can find the line */
			snprintf(names[k], sizeof names[k], "%s",
				 stored[k].source[0] ? stored[k].source : name);
			src[k] = (sasae_tag_source){names[k], stored[k].text, stored[k].len};
		} else {
			snprintf(names[k], sizeof names[k], "data/%s", name);
			src[k].file = names[k];
			sasae_tag_file_default(k, &src[k].bytes, &src[k].len);
		}
	}
	if (rc == 0)
		rc = sasae_tag_data_parse(out, src, sasae_store_variants(s), err);
	for (int k = 0; k < SASAE_NTAGFILES; k++)
		sasae_store_file_clear(&stored[k]);
	return rc;
}
