#!/usr/bin/env bash
# Fuzzes with libFuzzer + AddressSanitizer for N seconds each (default 60):
#   1. the KhaosanWire decoders (protobuf-c unpack through the bridge), Fuzz/wire;
#   2. the RPC frame decoder with message unpack, as a server reads a connection, Fuzz/frames.
# (The frame reader inside the server's real connection handler, with closes, write failures and
# timeouts, is Fuzz/run-channel-fuzz.sh.)
#   Fuzz/run-wire-fuzz.sh [seconds] [extra libFuzzer flags...]
# Builds with swiftc directly (SwiftPM has no fuzzer mode), one module at a time: the model's five
# files the wire uses, the codec half of KhaosanRPC, all of KhaosanWire (with its Generated/ and Mappings/), then Fuzz/wire/main.swift linked with the protoc-c output (clang). Corpus and crashes
# go to .build/fuzz-wire/; the wire harness also compares the SIMD UTF-8 check with the standard
# library's on every input. Keep any crash as a test in Tests/KhaosanWireTests. Address only: UBSan
# flags a harmless signed shift inside libprotobuf-c.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
out="${FUZZ_OUT:-$root/.build/fuzz-wire}"
mkdir -p "$out/obj" "$out/corpus" "$out/crashes"
cd "$root"

# The generated C's module map, which scripts/gen-protos.sh writes (and its --check keeps).
modmap_dir=Sources/CKhaosanProto/include

objs=()
for c in Sources/CKhaosanProto/khaosan/v1/*.c Sources/CKhaosanUTF8/*.c; do
    o="$out/obj/$(basename "$c" .c).o"
    clang -c -O1 -g -fsanitize=address,fuzzer-no-link -I Sources/CKhaosanProto/include -I Sources/CKhaosanUTF8/include -o "$o" "$c"
    objs+=("$o")
done

common=(-sanitize=fuzzer,address -parse-as-library -O -g -package-name khaosan -swift-version 6
    -enable-upcoming-feature ExistentialAny -enable-upcoming-feature InternalImportsByDefault
    -enable-upcoming-feature MemberImportVisibility
    -I Sources/CProtobufC -I "$modmap_dir" -I Sources/CKhaosanUTF8/include -Xcc -I -Xcc Sources/CKhaosanProto/include -I "$out/swiftmodules")
mkdir -p "$out/swiftmodules"
# Only the model's files the wire depends on (the parser stays out of the wire harness).
swiftc "${common[@]}" -wmo -c -module-name KhaosanModel -emit-module-path "$out/swiftmodules/KhaosanModel.swiftmodule" \
    Sources/KhaosanModel/Release.swift Sources/KhaosanModel/ReleaseError.swift Sources/KhaosanModel/MessageLimits.swift \
    Sources/KhaosanModel/UTF8Scan.swift Sources/KhaosanModel/Entity.swift -o "$out/obj/KhaosanModel.o"
# KhaosanWire's messages are KhaosanRPC messages: only the core's codec half, which imports nothing.
swiftc "${common[@]}" -wmo -c -module-name KhaosanRPC -emit-module-path "$out/swiftmodules/KhaosanRPC.swiftmodule" \
    Sources/KhaosanRPC/{Metadata,RPCError,MessageBuffer,RPCMessage,MethodDescriptor}.swift -o "$out/obj/KhaosanRPC.o"
swiftc "${common[@]}" -wmo -c -module-name KhaosanWire -emit-module-path "$out/swiftmodules/KhaosanWire.swiftmodule" \
    Sources/KhaosanWire/*.swift Sources/KhaosanWire/Generated/*.swift Sources/KhaosanWire/Mappings/*.swift -o "$out/obj/KhaosanWire.o"
swiftc "${common[@]}" -module-name WireFuzz Fuzz/wire/main.swift \
    "$out/obj/KhaosanModel.o" "$out/obj/KhaosanRPC.o" "$out/obj/KhaosanWire.o" "${objs[@]}" -lprotobuf-c -o "$out/wire-fuzz"

# The frame harness: the NIO-free half of KhaosanRPC's framing, compiled into the harness module.
swiftc "${common[@]}" -module-name FrameFuzz Fuzz/frames/main.swift \
    Sources/KhaosanRPC/FrameCore.swift Sources/KhaosanRPC/Metadata.swift Sources/KhaosanRPC/RPCError.swift \
    "$out/obj/KhaosanModel.o" "$out/obj/KhaosanRPC.o" "$out/obj/KhaosanWire.o" "${objs[@]}" -lprotobuf-c -o "$out/frame-fuzz"
mkdir -p "$out/frame-corpus"
if [ -d Fuzz/frames/seeds ]; then cp -n Fuzz/frames/seeds/* "$out/frame-corpus/" 2>/dev/null || true; fi

# Seed with a few valid encodings so the fuzzer starts inside the message structure.
if [ -d Fuzz/wire/seeds ]; then cp -n Fuzz/wire/seeds/* "$out/corpus/" 2>/dev/null || true; fi

"$out/wire-fuzz" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -artifact_prefix="$out/crashes/" \
    -print_final_stats=1 "$@" "$out/corpus"

"$out/frame-fuzz" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -artifact_prefix="$out/crashes/frames-" \
    -print_final_stats=1 "$@" "$out/frame-corpus"
