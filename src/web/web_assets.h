/* web_assets.h — the templates and static files embedded at build time (cmake/embed_set.cmake). */
#ifndef SASAE_WEB_ASSETS_H
#define SASAE_WEB_ASSETS_H

#include <stddef.h>

#include "sasae/template.h"

typedef struct sasae_web_asset {
	const char *name; /* file name ("style.css", "home") */
	const char *type; /* content type */
	const char *text; /* NUL-terminated */
	size_t len;
} sasae_web_asset;

extern const sasae_web_asset sasae_web_template_files[];
extern const size_t sasae_web_template_files_count;
extern const sasae_web_asset sasae_web_assets[];
extern const size_t sasae_web_assets_count;
#define sasae_web_nassets sasae_web_assets_count

/* The templates as a set for sasae_template_render (built once, at start-up). */
extern const sasae_template_src *sasae_web_templates;
extern size_t sasae_web_ntemplates;
void sasae_web_templates_init(void);

#endif
