// Debian's libprotobuf-c (libprotobuf-c-dev, pkg-config name `libprotobuf-c`).
#include <protobuf-c/protobuf-c.h>
