/*
 * morph_bench.c — the morphological analyzer's costs (bench/morph/run.sh, docs/morphology.md):
 * the time and resident memory it takes to open (libmecab loaded with dlopen, then the IPA
 * dictionary's model), the memory after parsing every sentence, and the speed of parsing, beside
 * sasae_normalize (search's normalisation with the notation variants) on the same sentences.
 *
 * Usage: morph_bench SENTENCES-FILE [ROUNDS]
 *   one sentence per line (UTF-8); ROUNDS timed passes over all of them (default 200), after one
 *   untimed pass.  Prints one "key value" line per figure; exit status 0, 1 on any failure.
 *        morph_bench --once TEXT | --none
 *   open the process's analyzer and parse TEXT once, or do nothing: the two commands timed side by
 *   side (hyperfine) give what the analyzer adds to a short command such as `sasae find`.
 *
 * Memory is VmRSS of /proc/self/status: resident pages, so the dictionary's mapped files count
 * only for the pages parsing has touched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sasae/morph.h"
#include "sasae/normalize.h"

/* A line of /proc/self/status in kB ("VmRSS:", "RssAnon:", "RssFile:"), or -1. */
static long status_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (f == NULL)
		return -1;
	char line[256];
	long kb = -1;
	size_t kl = strlen(key);
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, kl) == 0) {
			kb = strtol(line + kl, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

static long rss_kb(void) { return status_kb("VmRSS:"); }

/* Print the resident kB of each file mapped from dir (the dictionary), from /proc/self/smaps:
   "rss_kb_<file> N". */
static void print_mapped_rss(const char *dir)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	if (f == NULL)
		return;
	char line[1024], name[256] = "";
	size_t dl = strlen(dir);
	while (fgets(line, sizeof line, f)) {
		size_t first = strcspn(line, " ");
		if (first > 0 && line[first - 1] != ':') { /* a mapping's header line: address range … path */
			char *path = strchr(line, '/');
			name[0] = '\0';
			if (path && strncmp(path, dir, dl) == 0 && path[dl] == '/') {
				snprintf(name, sizeof name, "%s", path + dl + 1);
				name[strcspn(name, "\n")] = '\0';
			}
		} else if (name[0] && strncmp(line, "Rss:", 4) == 0) {
			printf("rss_kb_%s %ld\n", name, strtol(line + 4, NULL, 10));
		}
	}
	fclose(f);
}

/* Process CPU time (user + system) in seconds. */
static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The sentences of a file: lines, NUL-terminated in one buffer (*buf, freed by the caller). */
static char **read_lines(const char *path, size_t *n, char **buf, size_t *bytes)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	char *b = malloc(cap + 1);
	size_t got;
	while (b && (got = fread(b + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			char *nb = realloc(b, cap * 2 + 1);
			if (nb == NULL) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (b == NULL)
		return NULL;
	b[len] = '\0';
	char **lines = malloc((len + 1) * sizeof *lines);
	size_t k = 0;
	*bytes = 0;
	for (char *p = b; lines && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (*p) {
			lines[k++] = p;
			*bytes += strlen(p);
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
	*n = k;
	*buf = b;
	return lines;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--none") == 0)
		return 0;
	if (argc == 3 && strcmp(argv[1], "--once") == 0) {
		sasae_morph *sm = NULL;
		sasae_morph_tokens t = {0};
		sasae_error e = {0};
		int rc = sasae_morph_shared(&sm, &e) || sasae_morph_parse(&t, sm, argv[2], strlen(argv[2]), &e);
		if (rc)
			fprintf(stderr, "morph_bench: %s\n", e.message);
		sasae_morph_tokens_clear(&t);
		return rc ? 1 : 0;
	}
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: morph_bench SENTENCES-FILE [ROUNDS]\n");
		return 1;
	}
	int rounds = argc == 3 ? atoi(argv[2]) : 200;
	if (rounds < 1)
		rounds = 1;
	size_t n = 0, bytes = 0;
	char *buf = NULL;
	char **lines = read_lines(argv[1], &n, &buf, &bytes);
	if (lines == NULL || n == 0) {
		fprintf(stderr, "morph_bench: cannot read sentences from %s\n", argv[1]);
		return 1;
	}
	double *times = malloc((size_t)rounds * sizeof *times);
	if (times == NULL)
		return 1;
	printf("sentences %zu\nbytes_per_sentence %.1f\nrounds %d\n", n, (double)bytes / (double)n, rounds);
	sasae_error err = {0};

	/* Baseline: search's normalisation (NFKC, kana folding, notation variants) of the same text. */
	sasae_variants *variants = NULL;
	if (sasae_variants_default(&variants, &err) != 0) {
		fprintf(stderr, "morph_bench: %s\n", err.message);
		return 1;
	}
	sasae_norm norm = {0};
	for (int r = -1; r < rounds; r++) {
		double t0 = now();
		for (size_t i = 0; i < n; i++)
			if (sasae_normalize(&norm, lines[i], strlen(lines[i]), variants, SASAE_NORM_QUERY) != 0)
				return 1;
		if (r >= 0)
			times[r] = now() - t0;
	}
	qsort(times, (size_t)rounds, sizeof *times, cmp_double);
	double med = times[rounds / 2];
	printf("normalize_us_per_sentence %.2f\nnormalize_sentences_per_s %.0f\n", med / (double)n * 1e6,
	       (double)n / med);
	sasae_norm_free(&norm);
	sasae_variants_free(variants);

	/* Opening: libmecab alone (an open that fails on a missing dictionary loads the library
	   first), then the model of the IPA dictionary. */
	long rss0 = rss_kb(), anon0 = status_kb("RssAnon:"), file0 = status_kb("RssFile:");
	double c0 = cpu();
	double t0 = now();
	sasae_morph *m = NULL;
	sasae_morph_options none = {.dicdir = "/nonexistent/morph-bench"};
	if (sasae_morph_open(&m, &none, &err) != SASAE_EUNAVAILABLE) {
		fprintf(stderr, "morph_bench: expected the missing dictionary to be refused\n");
		return 1;
	}
	double t_lib = now() - t0, c_lib = cpu() - c0;
	long rss_lib = rss_kb();
	c0 = cpu();
	t0 = now();
	if (sasae_morph_open(&m, NULL, &err) != 0) {
		fprintf(stderr, "morph_bench: %s\n", err.message);
		return 1;
	}
	double t_model = now() - t0, c_model = cpu() - c0;
	long rss_open = rss_kb(), anon_open = status_kb("RssAnon:"), file_open = status_kb("RssFile:");
	printf("dicdir %s\n", sasae_morph_dicdir(m));
	printf("open_library_ms %.2f\nopen_model_ms %.2f\nopen_total_ms %.2f\n", t_lib * 1e3, t_model * 1e3,
	       (t_lib + t_model) * 1e3);
	printf("open_library_cpu_ms %.2f\nopen_model_cpu_ms %.2f\nopen_total_cpu_ms %.2f\n", c_lib * 1e3,
	       c_model * 1e3, (c_lib + c_model) * 1e3);

	/* Parsing: tokens (the struct reused, as a caller would), then both sequences. */
	sasae_morph_tokens tok = {0};
	size_t ntokens = 0;
	for (int r = -1; r < rounds; r++) {
		t0 = now();
		for (size_t i = 0; i < n; i++) {
			if (sasae_morph_parse(&tok, m, lines[i], strlen(lines[i]), &err) != 0) {
				fprintf(stderr, "morph_bench: %s: %s\n", lines[i], err.message);
				return 1;
			}
			if (r < 0)
				ntokens += tok.n;
		}
		if (r >= 0)
			times[r] = now() - t0;
		else
			printf("rss_added_after_first_pass_kb %ld\n", rss_kb() - rss0);
	}
	qsort(times, (size_t)rounds, sizeof *times, cmp_double);
	med = times[rounds / 2];
	printf("tokens_per_sentence %.1f\n", (double)ntokens / (double)n);
	printf("parse_us_per_sentence %.2f\nparse_sentences_per_s %.0f\nparse_us_per_sentence_min %.2f\n",
	       med / (double)n * 1e6, (double)n / med, times[0] / (double)n * 1e6);
	sasae_morph_seq seq = {0};
	for (int r = -1; r < rounds; r++) {
		t0 = now();
		for (size_t i = 0; i < n; i++)
			if (sasae_morph_sequences(&seq, m, lines[i], strlen(lines[i]), 0, &err) != 0)
				return 1;
		if (r >= 0)
			times[r] = now() - t0;
	}
	qsort(times, (size_t)rounds, sizeof *times, cmp_double);
	med = times[rounds / 2];
	printf("sequences_us_per_sentence %.2f\nsequences_sentences_per_s %.0f\n", med / (double)n * 1e6,
	       (double)n / med);
	long rss_end = rss_kb();
	printf("rss_before_open_kb %ld\nrss_added_by_library_kb %ld\nrss_added_by_open_kb %ld\n"
	       "rss_added_after_parsing_kb %ld\n",
	       rss0, rss_lib - rss0, rss_open - rss0, rss_end - rss0);
	long anon_end = status_kb("RssAnon:"), file_end = status_kb("RssFile:");
	print_mapped_rss(sasae_morph_dicdir(m));
	printf("anon_added_by_open_kb %ld\nfile_added_by_open_kb %ld\n"
	       "anon_added_after_parsing_kb %ld\nfile_added_after_parsing_kb %ld\n",
	       anon_open - anon0, file_open - file0, anon_end - anon0, file_end - file0);
	sasae_morph_seq_clear(&seq);
	sasae_morph_tokens_clear(&tok);
	sasae_morph_close(m);
	free(times);
	free(lines);
	free(buf);
	return 0;
}
