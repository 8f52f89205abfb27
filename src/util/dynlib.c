/* dynlib.c — shared libraries loaded at run time (see include/util/sasae/dynlib.h). */
#include "sasae/dynlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

/* POSIX (dlsym) requires a function pointer and void * to have the same representation. */
_Static_assert(sizeof(void (*)(void)) == sizeof(void *), "function pointers must fit in void *");

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int sasae_dynlib_load(sasae_dynlib *lib, sasae_error *err)
{
	pthread_mutex_lock(&lock);
	if (lib->loaded) {
		pthread_mutex_unlock(&lock);
		return 0;
	}
	int rc = 0;
	if (lib->handle == NULL) {
		dlerror(); /* clear */
		lib->handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
		if (lib->handle == NULL) {
			const char *why = dlerror();
			rc = sasae_error_set(err, SASAE_EUNAVAILABLE, NULL, 0,
					     "%sにはライブラリ %s（%s）が要りますが、読み込めません: %s。"
					     "scripts/install-deps.sh で入れてください（Debian では apt-get install %s-dev でも入ります）",
					     lib->feature, lib->name, lib->soname, why ? why : "不明な理由", lib->name);
			goto out;
		}
	}
	/* Every function first, into a scratch copy: a library that lacks one leaves the table empty. */
	for (size_t i = 0; i < lib->nsyms; i++) {
		dlerror();
		void *p = dlsym(lib->handle, lib->syms[i].name);
		if (p == NULL) {
			const char *why = dlerror();
			rc = sasae_error_set(err, SASAE_EUNAVAILABLE, NULL, 0,
					     "%sに要るライブラリ %s（%s）に関数 %s がありません（%s）。"
					     "sasae を作ったときとは別の版が入っています。scripts/install-deps.sh で入れ直し、sasae を作り直してください",
					     lib->feature, lib->name, lib->soname, lib->syms[i].name, why ? why : "NULL");
			goto out;
		}
	}
	for (size_t i = 0; i < lib->nsyms; i++) {
		void *p = dlsym(lib->handle, lib->syms[i].name);
		memcpy((char *)lib->table + lib->syms[i].offset, &p, sizeof p);
	}
	lib->loaded = true;
out:
	pthread_mutex_unlock(&lock);
	return rc;
}
