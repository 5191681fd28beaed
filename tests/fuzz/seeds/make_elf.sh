#!/usr/bin/env bash
# Builds the elf fuzz target's seeds into OUT_DIR: tiny.c as a static
# program without libc (a few KB), with a .gopclntab that agrees with its
# .text and the .go.buildinfo of a Go 1.19 binary (GO_BINARY, any); one
# also with a compile unit of Go-style types (go_types_cu.py).
#   make_elf.sh GO_BINARY OUT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
go_binary=$1
out=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
objcopy --dump-section .go.buildinfo="$work/buildinfo" "$go_binary" /dev/null

build() {  # name, .gopclntab layout (go12, go116, go118, go120), then compiler flags
  local name=$1 layout=$2
  shift 2
  # Reproducible: the same paths (and no command line) in the DWARF
  # wherever the tree is.
  (cd "$work" && gcc -O2 -g -fdebug-prefix-map="$here"=/src -fdebug-prefix-map="$work"=/build -gno-record-gcc-switches \
    -fno-asynchronous-unwind-tables -fno-pie -no-pie -static -nostdlib \
    -Wl,-N -Wl,--build-id=none -Wl,--no-warn-rwx-segments "$@" -o "$work/$name" "$here/tiny.c")
  objcopy -R .comment "$work/$name"
  # Every function of .symtab, as NAME:ENTRY:END, for the pc-line table.
  local text specs
  text=$(readelf -SW "$work/$name" | sed -n 's/.* \.text *PROGBITS *\([0-9a-f]*\) .*/0x\1/p')
  specs=$(readelf -sW "$work/$name" | awk '$4 == "FUNC" && $3 > 0 {print $8 ":0x" $2 ":" $3}' | sort -t: -k2 |
    while IFS=: read -r fn entry size; do echo "$fn:$entry:$((entry + size))"; done)
  python3 "$here/make_pclntab.py" synth "$work/pcln" "$text" "$layout" $specs
  objcopy --add-section .gopclntab="$work/pcln" --add-section .go.buildinfo="$work/buildinfo" "$work/$name"
}

build dwarf4 go118 -gdwarf-4
cp "$work/dwarf4" "$out/elf-dwarf4"
build dwarf5 go118 -gdwarf-5
cp "$work/dwarf5" "$out/elf-dwarf5"
# Go <= 1.18 writes .zdebug_* sections, later releases SHF_COMPRESSED ones.
objcopy --compress-debug-sections=zlib-gnu "$work/dwarf4" "$out/elf-zdebug"
objcopy --compress-debug-sections=zlib-gabi "$work/dwarf5" "$out/elf-compressed"
# Go's DWARF type shapes, which a C compiler does not write.
cp "$work/dwarf4" "$out/elf-gotypes"
python3 "$here/go_types_cu.py" "$out/elf-gotypes"
# Without .symtab the functions come from .gopclntab.
objcopy -R .symtab -R .strtab "$work/dwarf4" "$out/elf-nosymtab"
# Without DWARF: lines from .gopclntab, runtime.g from gotrace's table. And
# stripped of both (-ldflags=-s -w): functions from .gopclntab too. In the
# older table layouts, which no Go here can write.
build nodwarf go116 -g0
cp "$work/nodwarf" "$out/elf-nodwarf-go116"
build stripped12 go12 -g0
objcopy -R .symtab -R .strtab "$work/stripped12" "$out/elf-stripped-go12"
build stripped120 go120 -g0
objcopy -R .symtab -R .strtab "$work/stripped120" "$out/elf-stripped-go120"
# The elf target reads DWARF on Binary::open's thread when the last byte of
# e_ident (padding) is odd.
for seed in dwarf4 gotypes; do
  cp "$out/elf-$seed" "$out/elf-$seed-background"
  printf '\x01' | dd of="$out/elf-$seed-background" bs=1 seek=15 conv=notrunc status=none
done
