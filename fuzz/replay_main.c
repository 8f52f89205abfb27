/*
 * replay_main.c — runs a libFuzzer target over its corpus without libFuzzer, so that every build,
 * under any compiler, replays the corpora as regression tests (fuzz/replay.cmake registers them
 * with CTest as fuzz-replay-<name>).
 *
 * Usage: replay_<name> PATH...
 * Each PATH is a file or a directory whose regular files (not recursively; names starting with '.'
 * skipped) are read in name order, each passed to LLVMFuzzerTestOneInput() in a buffer of exactly
 * its size, so that the sanitizers see any read past the end.  A target that finds a bug aborts.
 * Exit status: 0, or 1 when a path cannot be read or no input was found at all.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read the file at path into a new buffer of exactly its size (*out, freed by the caller; a
   1-byte buffer for an empty file).  Returns 0 or -1 with a message printed. */
static int read_file(const char *path, uint8_t **out, size_t *size)
{
	*out = NULL;
	*size = 0;
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	int rc = -1;
	uint8_t *data = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			uint8_t *p = ncap > cap ? realloc(data, ncap) : NULL;
			if (p == NULL) {
				fprintf(stderr, "replay: %s: out of memory\n", path);
				goto done;
			}
			data = p;
			cap = ncap;
		}
		size_t n = fread(data + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f)) {
				fprintf(stderr, "replay: %s: read error\n", path);
				goto done;
			}
			break;
		}
	}
	/* Exactly len bytes, so that a read past the end is caught. */
	*out = malloc(len ? len : 1);
	if (*out == NULL) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		goto done;
	}
	if (len)
		memcpy(*out, data, len);
	*size = len;
	rc = 0;
done:
	free(data);
	fclose(f);
	return rc;
}

/* Run the target on one file.  Returns 0 or -1. */
static int replay_file(const char *path)
{
	uint8_t *data;
	size_t size;
	if (read_file(path, &data, &size) != 0)
		return -1;
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 0;
}

static int skip_hidden(const struct dirent *e) { return e->d_name[0] != '.'; }

/* Run the target on every regular file of dir, in name order; adds to *count.  Returns 0 or -1. */
static int replay_dir(const char *dir, size_t *count)
{
	struct dirent **names;
	int n = scandir(dir, &names, skip_hidden, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(dir) + 1 + strlen(names[i]->d_name) + 1;
		char *path = malloc(len);
		if (path == NULL) {
			fprintf(stderr, "replay: out of memory\n");
			rc = -1;
		} else {
			struct stat st;
			snprintf(path, len, "%s/%s", dir, names[i]->d_name);
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				if (replay_file(path) != 0)
					rc = -1;
				else
					(*count)++;
			}
			free(path);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
		return 2;
	}
	size_t count = 0;
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) != 0)
				rc = 1;
		} else if (replay_file(argv[i]) != 0) {
			rc = 1;
		} else {
			count++;
		}
	}
	if (count == 0) {
		fprintf(stderr, "replay: no input found\n");
		rc = 1;
	}
	printf("replay: %zu inputs replayed%s\n", count, rc ? ", with errors" : ", all passed");
	return rc;
}
