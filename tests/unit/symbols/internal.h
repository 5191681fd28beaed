// White-box access to the symbols library's private headers (symbols/src):
// the pc-line table parser, the .go.buildinfo reader and the runtime.g
// table are tested on hand-built bytes that no Go toolchain here produces.
#pragma once

#include "buildinfo.h"
#include "elf_file.h"
#include "pclntab.h"
#include "runtime_layout.h"
#include "symtab.h"
