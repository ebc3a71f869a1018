// ICU dictionary word break iterator (th) over the benchmark sample: MB/s of UTF-8 input.
// Build: cc -O2 icu_bench.c -o icu_bench $(pkg-config --cflags --libs icu-uc)
// Usage: icu_bench <file-list>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicode/ubrk.h>
#include <unicode/ustring.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: icu_bench <file-list>\n"); return 2; }
    FILE *list = fopen(argv[1], "r");
    if (!list) { perror(argv[1]); return 1; }
    char path[4096];
    size_t nfiles = 0, cap = 4096, total = 0;
    char **texts = malloc(cap * sizeof *texts); size_t *lens = malloc(cap * sizeof *lens);
    while (fgets(path, sizeof path, list)) {
        path[strcspn(path, "\n")] = 0;
        FILE *f = fopen(path, "rb");
        if (!f) { perror(path); return 1; }
        fseek(f, 0, SEEK_END); long n = ftell(f); fseek(f, 0, SEEK_SET);
        char *buf = malloc(n + 1);
        if (fread(buf, 1, n, f) != (size_t)n) { perror(path); return 1; }
        fclose(f);
        if (nfiles == cap) { cap *= 2; texts = realloc(texts, cap * sizeof *texts); lens = realloc(lens, cap * sizeof *lens); }
        texts[nfiles] = buf; lens[nfiles] = n; nfiles++; total += n;
    }
    UErrorCode err = U_ZERO_ERROR;
    UBreakIterator *bi = ubrk_open(UBRK_WORD, "th", NULL, 0, &err);
    if (U_FAILURE(err)) { fprintf(stderr, "ubrk_open: %s\n", u_errorName(err)); return 1; }
    double best = 1e9, bestBreak = 1e9; long words = 0;
    for (int run = 0; run < 3; run++) {
        double t0 = now(), tBreak = 0; words = 0;
        for (size_t i = 0; i < nfiles; i++) {
            int32_t ulen = 0; err = U_ZERO_ERROR;
            u_strFromUTF8(NULL, 0, &ulen, texts[i], (int32_t)lens[i], &err);
            UChar *u = malloc((ulen + 1) * sizeof(UChar)); err = U_ZERO_ERROR;
            u_strFromUTF8(u, ulen + 1, NULL, texts[i], (int32_t)lens[i], &err);
            double tb = now();
            err = U_ZERO_ERROR;
            ubrk_setText(bi, u, ulen, &err);
            for (int32_t p = ubrk_first(bi); p != UBRK_DONE; p = ubrk_next(bi))
                if (ubrk_getRuleStatus(bi) != UBRK_WORD_NONE) words++;
            tBreak += now() - tb;
            free(u);
        }
        double dt = now() - t0;
        if (dt < best) best = dt;
        if (tBreak < bestBreak) bestBreak = tBreak;
    }
    printf("ICU %s ubrk word (th): %.1f MB/s including UTF-8->UTF-16, %.1f MB/s break iteration only; %ld words; %zu files, %.2f MB\n",
           U_ICU_VERSION, total / 1e6 / best, total / 1e6 / bestBreak, words, nfiles, total / 1e6);
    ubrk_close(bi);
    return 0;
}
