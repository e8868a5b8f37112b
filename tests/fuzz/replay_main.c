
/*
 * A main() for the fuzz targets without libFuzzer: runs
 * LLVMFuzzerTestOneInput() once on every file named on the command line
 * (directories: every regular file in them, in name order), each in a
 * buffer of exactly its size, so that the sanitizers see any overread.
 * Built with the ordinary compiler and ASan/UBSan by tests/fuzz/Makefile
 * ("replay"); tests/fuzz/replay runs it over the corpora.
 *
 *     replay_fuzz_x [-v] FILE_OR_DIR...
 *
 * -v names each input on stderr before running it.  Exit status 0 when
 * every input ran (a crash or a broken invariant aborts).
 */


#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_support.h"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fz_run_file(const char *path);
static int fz_run_dir(const char *path);
static int fz_name_cmp(const void *a, const void *b);


static int            fz_verbose;
static unsigned long  fz_count;


int
main(int argc, char **argv)
{
    int          i, failed;
    struct stat  st;

    LLVMFuzzerInitialize(&argc, &argv);

    failed = 0;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0) {
            fz_verbose = 1;
            continue;
        }

        if (stat(argv[i], &st) == -1) {
            fprintf(stderr, "replay: cannot stat \"%s\"\n", argv[i]);
            failed = 1;
            continue;
        }

        if (S_ISDIR(st.st_mode)) {
            failed |= fz_run_dir(argv[i]);

        } else {
            failed |= fz_run_file(argv[i]);
        }
    }

    printf("replayed %lu inputs\n", fz_count);

    return failed;
}


static int
fz_run_file(const char *path)
{
    size_t          len;
    unsigned char  *data, *exact;

    data = fz_read_file(path, &len);

    if (data == NULL) {
        fprintf(stderr, "replay: cannot read \"%s\"\n", path);
        return 1;
    }

    /* exactly len bytes: no terminating NUL to hide an overread */
    exact = malloc(len ? len : 1);
    if (exact == NULL) {
        free(data);
        return 1;
    }

    memcpy(exact, data, len);
    free(data);

    if (fz_verbose) {
        fprintf(stderr, "replay: %s\n", path);
    }

    LLVMFuzzerTestOneInput(exact, len);
    fz_count++;

    free(exact);

    return 0;
}


static int
fz_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}


static int
fz_run_dir(const char *path)
{
    int             failed;
    DIR            *dir;
    char          **names, **more, *file;
    size_t          n, cap, i;
    struct stat     st;
    struct dirent  *de;

    dir = opendir(path);
    if (dir == NULL) {
        fprintf(stderr, "replay: cannot open \"%s\"\n", path);
        return 1;
    }

    names = NULL;
    n = 0;
    cap = 0;

    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }

        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            more = realloc(names, cap * sizeof(char *));

            if (more == NULL) {
                fz_die("out of memory");
            }

            names = more;
        }

        names[n] = strdup(de->d_name);

        if (names[n] == NULL) {
            fz_die("out of memory");
        }

        n++;
    }

    closedir(dir);

    if (n > 0) {
        qsort(names, n, sizeof(char *), fz_name_cmp);
    }

    failed = 0;

    for (i = 0; i < n; i++) {
        if (asprintf(&file, "%s/%s", path, names[i]) < 0) {
            fz_die("out of memory");
        }

        if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
            failed |= fz_run_file(file);
        }

        free(file);
        free(names[i]);
    }

    free(names);

    return failed;
}
