/*
 * dynlib.h — shared libraries loaded at run time (dlopen), by the one feature that needs them.
 *
 * libmicrohttpd (sasae serve) and libxlsxwriter (export --format xlsx) are not linked into the
 * program: with their dependencies (GnuTLS, nettle, gmp, libcrypto, minizip, …) they are 14 shared
 * objects the dynamic loader would map and relocate on every start of every command, for two
 * features (docs/benchmarks.md, "Import").  The code still compiles against their headers; the
 * functions it calls are looked up when the feature first runs, into a table of typed function
 * pointers that the feature's source file declares with an X-macro:
 *
 *     #define LIB_FUNCTIONS(X) X(foo_open) X(foo_close)
 *     #define LIB_FIELD(f) __typeof__(f) *f;
 *     static struct lib_api { LIB_FUNCTIONS(LIB_FIELD) } lib;
 *     #define LIB_SYM(f) {#f, offsetof(struct lib_api, f)},
 *     static const sasae_dynsym lib_syms[] = {LIB_FUNCTIONS(LIB_SYM)};
 *     static sasae_dynlib lib_lib = {"libfoo", SASAE_FOO_SONAME, "…", lib_syms, N, &lib};
 *     …  if (sasae_dynlib_load(&lib_lib, err)) return err->code;  lib.foo_open(…);
 *
 * The file name to load is the library's SONAME, found at configure time (CMakeLists.txt), so the
 * library loaded is the ABI the headers describe.
 */
#ifndef SASAE_DYNLIB_H
#define SASAE_DYNLIB_H

#include <stdbool.h>
#include <stddef.h>

#include "sasae/error.h"

/* One function of a library: its name, and where its address goes in the caller's table. */
typedef struct sasae_dynsym {
	const char *name;
	size_t offset; /* offsetof(table struct, field): a function pointer */
} sasae_dynsym;

/* A library and the table its functions are loaded into.  Static storage; loaded at most once. */
typedef struct sasae_dynlib {
	const char *name;    /* for people: "libmicrohttpd" */
	const char *soname;  /* the file dlopen loads: "libmicrohttpd.so.12" */
	const char *feature; /* what needs it, in the message: "sasae serve（ウェブサーバー）" */
	const sasae_dynsym *syms;
	size_t nsyms;
	void *table;  /* the struct of function pointers the syms' offsets are in */
	bool loaded;  /* set once every function is in the table (under the loader's lock) */
	void *handle; /* the dlopen handle (never closed) */
} sasae_dynlib;

/*
 * Load lib (once; later calls return 0 at once) and fill its table.  Thread-safe.  On failure the
 * table is left untouched and err says, in Japanese, which library could not be loaded or which
 * function it lacks, for which feature, and what to install: SASAE_EUNAVAILABLE (exit status 69).
 */
int sasae_dynlib_load(sasae_dynlib *lib, sasae_error *err);

#endif
