#pragma once
#include <stddef.h>
#include <stdint.h>

/// 1 when `bytes[0..<count]` is well-formed UTF-8, else 0. Uses SSSE3 when the CPU has it.
int khaosan_utf8_valid(const uint8_t *bytes, size_t count);
/// The same answer from a byte-at-a-time loop (the reference the tests compare against).
int khaosan_utf8_valid_scalar(const uint8_t *bytes, size_t count);
