// Well-formed UTF-8 (Unicode 15, table 3-7) checked 16 bytes at a time with SSSE3, after Keiser &
// Lemire, "Validating UTF-8 in less than one instruction per byte" (2021), the "lookup" algorithm
// simdjson and simdutf use. A scalar loop serves other CPUs and is the reference the tests compare.
#include "CKhaosanUTF8.h"
#include <string.h>

static int valid_scalar(const uint8_t *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t b0 = p[i];
        if (b0 < 0x80) { i += 1; continue; }
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            if (i + 2 > n || (p[i + 1] & 0xC0) != 0x80) return 0;
            i += 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            if (i + 3 > n) return 0;
            uint8_t b1 = p[i + 1];
            uint8_t lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
            if (b1 < lo || b1 > hi || (p[i + 2] & 0xC0) != 0x80) return 0;
            i += 3;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            if (i + 4 > n) return 0;
            uint8_t b1 = p[i + 1];
            uint8_t lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
            if (b1 < lo || b1 > hi || (p[i + 2] & 0xC0) != 0x80 || (p[i + 3] & 0xC0) != 0x80) return 0;
            i += 4;
        } else {
            return 0;
        }
    }
    return 1;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define SSSE3 __attribute__((target("ssse3")))

// Error classes of a pair of bytes (previous, current); a pair is wrong when all three look-ups
// (high and low nibble of the previous byte, high nibble of the current one) share a bit.
enum {
    TOO_SHORT = 1 << 0,   // lead followed by a lead or ASCII
    TOO_LONG = 1 << 1,    // ASCII followed by a continuation
    OVERLONG_3 = 1 << 2,  // E0 80..9F
    TOO_LARGE = 1 << 3,   // F4 90..BF, F5..FF
    SURROGATE = 1 << 4,   // ED A0..BF
    OVERLONG_2 = 1 << 5,  // C0..C1
    TOO_LARGE_1000 = 1 << 6,
    OVERLONG_4 = 1 << 6,  // F0 80..8F
    TWO_CONTS = 1 << 7,   // continuation after continuation (allowed only as 3rd/4th byte)
    CARRY = TOO_SHORT | TOO_LONG | TWO_CONTS,
};

static const uint8_t BYTE1_HIGH[16] = {
    TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
    TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS,
    TOO_SHORT | OVERLONG_2,
    TOO_SHORT,
    TOO_SHORT | OVERLONG_3 | SURROGATE,
    TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4};
static const uint8_t BYTE1_LOW[16] = {
    CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4,
    CARRY | OVERLONG_2,
    CARRY, CARRY,
    CARRY | TOO_LARGE,
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE,
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000};
static const uint8_t BYTE2_HIGH[16] = {
    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT};

SSSE3 static inline __m128i pair_errors(__m128i input, __m128i prev1) {
    const __m128i byte1_high = _mm_loadu_si128((const __m128i *)BYTE1_HIGH);
    const __m128i byte1_low = _mm_loadu_si128((const __m128i *)BYTE1_LOW);
    const __m128i byte2_high = _mm_loadu_si128((const __m128i *)BYTE2_HIGH);
    const __m128i nibble = _mm_set1_epi8(0x0F);
    __m128i a = _mm_shuffle_epi8(byte1_high, _mm_and_si128(_mm_srli_epi16(prev1, 4), nibble));
    __m128i b = _mm_shuffle_epi8(byte1_low, _mm_and_si128(prev1, nibble));
    __m128i c = _mm_shuffle_epi8(byte2_high, _mm_and_si128(_mm_srli_epi16(input, 4), nibble));
    return _mm_and_si128(_mm_and_si128(a, b), c);
}

// Errors of the 16 bytes `input`, `prev` being the 16 before them (zeros at the start).
SSSE3 static inline __m128i block_errors(__m128i input, __m128i prev) {
    __m128i prev1 = _mm_alignr_epi8(input, prev, 15);
    __m128i prev2 = _mm_alignr_epi8(input, prev, 14);
    __m128i prev3 = _mm_alignr_epi8(input, prev, 13);
    __m128i special = pair_errors(input, prev1);
    // A byte two after a 3- or 4-byte lead, or three after a 4-byte lead, must be a continuation:
    // exactly the TWO_CONTS pairs there are right, and they are wrong everywhere else.
    __m128i third = _mm_subs_epu8(prev2, _mm_set1_epi8((char)(0xE0 - 0x80)));
    __m128i fourth = _mm_subs_epu8(prev3, _mm_set1_epi8((char)(0xF0 - 0x80)));
    __m128i must23 = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8((char)0x80));
    return _mm_xor_si128(must23, special);
}

// Non-zero where a sequence begun in the last three bytes needs bytes beyond the block.
SSSE3 static inline __m128i incomplete(__m128i input) {
    const __m128i max = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        (char)(0xF0 - 1), (char)(0xE0 - 1), (char)(0xC0 - 1));
    return _mm_subs_epu8(input, max);
}

SSSE3 static int valid_ssse3(const uint8_t *p, size_t n) {
    __m128i error = _mm_setzero_si128(), prev = _mm_setzero_si128(), prev_incomplete = _mm_setzero_si128();
    size_t i = 0;
    uint8_t tail[16];
    for (;;) {
        __m128i input;
        if (i + 16 <= n) {
            input = _mm_loadu_si128((const __m128i *)(p + i));
        } else if (i < n) {
            // The last partial block, padded with NUL (ASCII): a sequence cut short fails against it.
            memset(tail, 0, sizeof tail);
            memcpy(tail, p + i, n - i);
            input = _mm_loadu_si128((const __m128i *)tail);
        } else {
            break;
        }
        if (_mm_movemask_epi8(input) == 0) {
            error = _mm_or_si128(error, prev_incomplete);
            prev_incomplete = _mm_setzero_si128();
        } else {
            error = _mm_or_si128(error, block_errors(input, prev));
            prev_incomplete = incomplete(input);
        }
        prev = input;
        i += 16;
        // Give up early on bad input instead of scanning on (cheap: once per 256 bytes).
        if ((i & 255) == 0 && _mm_movemask_epi8(_mm_cmpeq_epi8(error, _mm_setzero_si128())) != 0xFFFF) return 0;
    }
    error = _mm_or_si128(error, prev_incomplete);
    return _mm_movemask_epi8(_mm_cmpeq_epi8(error, _mm_setzero_si128())) == 0xFFFF;
}

static int has_ssse3(void) {
    // Threads may race to fill it in; they all store the same answer.
    static int cached = -1;
    int known = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("ssse3") ? 1 : 0;
        __atomic_store_n(&cached, known, __ATOMIC_RELAXED);
    }
    return known;
}

int khaosan_utf8_valid(const uint8_t *bytes, size_t count) {
    if (has_ssse3()) return valid_ssse3(bytes, count);
    return valid_scalar(bytes, count);
}
#else
int khaosan_utf8_valid(const uint8_t *bytes, size_t count) { return valid_scalar(bytes, count); }
#endif

int khaosan_utf8_valid_scalar(const uint8_t *bytes, size_t count) { return valid_scalar(bytes, count); }
