// Debian's libzstd (libzstd-dev, pkg-config name `libzstd`): Zstandard with trained dictionaries.
#include <zstd.h>
#include <zdict.h>
