#!/usr/bin/env python3
"""Appends a DWARF 4 compile unit of Go-style types to a seed ELF.

A C compiler writes none of Go's DWARF extensions (DW_AT_go_kind, go_elem,
go_key, go_runtime_type, go_embedded_field) that gotrace's type reader
follows, and a Go binary is too large to seed with; so this writes, by hand,
the shapes the Go linker gives strings, slices, maps, channels, interfaces,
arrays, named types (a typedef aliasing a struct of the same name) and
runtime.g, in a CU named "runtime" as Go's is, and a function described as
the Go compiler does (go_function).

  go_types_cu.py ELF   (rewrites .debug_info and .debug_abbrev in place)
"""
import struct
import subprocess
import sys
import tempfile

DW_FORM = {"addr": 0x01, "block1": 0x0A, "data1": 0x0B, "string": 0x08, "udata": 0x0F, "ref4": 0x13, "flag": 0x0C}
AT = {"name": 0x03, "byte_size": 0x0B, "language": 0x13, "encoding": 0x3E, "type": 0x49,
      "data_member_location": 0x38, "count": 0x37, "go_kind": 0x2900, "go_key": 0x2901,
      "low_pc": 0x11, "high_pc": 0x12, "location": 0x02, "frame_base": 0x40, "decl_line": 0x3B,
      "variable_parameter": 0x4B, "abstract_origin": 0x31, "inline": 0x20, "go_elem": 0x2902, "go_embedded_field": 0x2903, "go_runtime_type": 0x2904}
TAG = {"compile_unit": 0x11, "base_type": 0x24, "structure_type": 0x13, "member": 0x0D,
       "pointer_type": 0x0F, "typedef": 0x16, "array_type": 0x01, "subrange_type": 0x21,
       "subroutine_type": 0x15, "subprogram": 0x2E, "formal_parameter": 0x05, "variable": 0x34,
       "lexical_block": 0x0B, "inlined_subroutine": 0x1D}


def uleb(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


class Die:
    def __init__(self, tag, attrs, children=()):
        self.tag, self.attrs, self.children = tag, attrs, list(children)


def form_of(attr, value):
    if attr in ("type", "go_elem", "go_key", "abstract_origin"):
        return "ref4"
    if attr in ("location", "frame_base"):
        return "block1"
    if attr in ("low_pc", "go_runtime_type"):
        return "addr"
    if attr == "name":
        return "string"
    if attr in ("go_embedded_field", "variable_parameter"):
        return "flag"
    if attr in ("go_kind", "encoding", "language", "inline"):
        return "data1"
    return "udata"


def build(root, abbrev_base):
    abbrevs, order = {}, []

    def shape(d):
        key = (d.tag, bool(d.children), tuple((a, form_of(a, v)) for a, v in d.attrs))
        if key not in abbrevs:
            abbrevs[key] = len(abbrevs) + 1
            order.append(key)
        return abbrevs[key]

    def value_bytes(a, v, offsets):
        f = form_of(a, v)
        if f == "ref4":
            return struct.pack("<I", offsets.get(id(v), 0))
        if f == "string":
            return v.encode() + b"\0"
        if f == "block1":
            return bytes([len(v)]) + bytes(v)
        if f == "addr":
            return struct.pack("<Q", v)
        if f in ("flag", "data1"):
            return bytes([v])
        return uleb(v)

    def emit(d, offsets, out, header):
        offsets[id(d)] = header + len(out)
        out += uleb(shape(d))
        for a, v in d.attrs:
            out += value_bytes(a, v, offsets)
        for c in d.children:
            emit(c, offsets, out, header)
        if d.children:
            out.append(0)

    header = 11  # unit_length, version, debug_abbrev_offset, address_size
    offsets = {}
    # Refs have a fixed size: a first pass lays the DIEs out, the second
    # writes the offsets it found.
    for _ in range(2):
        body = bytearray()
        emit(root, offsets, body, header)
    info = struct.pack("<IHIB", 7 + len(body), 4, abbrev_base, 8) + body
    abbrev = bytearray()
    for key in order:
        tag, children, attrs = key
        abbrev += uleb(abbrevs[key]) + uleb(TAG[tag]) + bytes([1 if children else 0])
        for a, f in attrs:
            abbrev += uleb(AT[a]) + uleb(DW_FORM[f])
        abbrev += b"\0\0"
    abbrev.append(0)
    return bytes(abbrev), bytes(info)


def go_function(entry, t):
    """main.gofunc as Go 1.19 describes a function: parameters at the CFA
    or in registers (pieces for a string result), a local in a nested
    scope, an inlined call with its own parameter."""
    inl_v = Die("formal_parameter", [("name", "v"), ("type", t["int"])])
    abstract = Die("subprogram", [("name", "main.inl"), ("inline", 1)], [inl_v])
    cfa, fbreg, plus_uconst, piece = 0x9C, 0x91, 0x23, 0x93
    rax, rbx = 0x50, 0x53
    fn = Die("subprogram", [("name", "main.gofunc"), ("low_pc", entry), ("high_pc", 32), ("frame_base", [cfa])], [
        Die("formal_parameter", [("name", "p"), ("type", t["main.Point"]), ("decl_line", 10), ("location", [cfa])]),
        Die("formal_parameter", [("name", "n"), ("type", t["int"]), ("decl_line", 10), ("location", [rax])]),
        Die("formal_parameter", [("name", "~r0"), ("type", t["string"]), ("variable_parameter", 1),
                                 ("location", [rax, piece, 8, rbx, piece, 8])]),
        Die("variable", [("name", "x"), ("type", t["[]int"]), ("decl_line", 11), ("location", [fbreg, 0x10])]),
        Die("lexical_block", [("low_pc", entry + 8), ("high_pc", 16)], [
            Die("variable", [("name", "m"), ("type", t["map"]), ("decl_line", 12),
                             ("location", [cfa, plus_uconst, 8])]),
        ]),
        Die("inlined_subroutine", [("abstract_origin", abstract), ("low_pc", entry + 24), ("high_pc", 4)], [
            Die("formal_parameter", [("abstract_origin", inl_v), ("location", [rbx])]),
        ]),
    ])
    return [abstract, fn]


def go_types():
    rt = iter(range(0x1000, 0x2000, 0x40))
    int_ = Die("base_type", [("name", "int"), ("encoding", 5), ("byte_size", 8), ("go_kind", 2),
                             ("go_runtime_type", next(rt))])
    uintptr = Die("base_type", [("name", "uintptr"), ("encoding", 8), ("byte_size", 8), ("go_kind", 12)])
    u8 = Die("base_type", [("name", "uint8"), ("encoding", 8), ("byte_size", 1), ("go_kind", 8)])
    pu8 = Die("pointer_type", [("name", "*uint8"), ("type", u8), ("go_kind", 22)])
    unsafe = Die("pointer_type", [("name", "unsafe.Pointer")])

    def member(name, off, t, embedded=0):
        return Die("member", [("name", name), ("data_member_location", off), ("type", t),
                              ("go_embedded_field", embedded)])

    string = Die("structure_type", [("name", "string"), ("byte_size", 16), ("go_kind", 24),
                                    ("go_runtime_type", next(rt))],
                 [member("str", 0, pu8), member("len", 8, int_)])
    pint = Die("pointer_type", [("name", "*int"), ("type", int_), ("go_kind", 22)])
    ints = Die("structure_type", [("name", "[]int"), ("byte_size", 24), ("go_kind", 23), ("go_elem", int_),
                                  ("go_runtime_type", next(rt))],
               [member("array", 0, pint), member("len", 8, int_), member("cap", 16, int_)])
    arr = Die("array_type", [("name", "[4]int"), ("type", int_), ("byte_size", 32), ("go_kind", 17)],
              [Die("subrange_type", [("type", uintptr), ("count", 4)])])
    point = Die("structure_type", [("name", "main.Point"), ("byte_size", 24), ("go_kind", 25),
                                   ("go_runtime_type", next(rt))],
                [member("X", 0, int_), member("Name", 8, string)])
    point_alias = Die("typedef", [("name", "main.Point"), ("type", point)])
    inner = Die("structure_type", [("name", "main.Outer"), ("byte_size", 32), ("go_kind", 25)],
                [member("Point", 0, point_alias, 1), member("Tag", 24, int_)])
    hash_ = Die("structure_type", [("name", "hash<string,int>"), ("byte_size", 48)],
                [member("count", 0, int_)])
    phash = Die("pointer_type", [("name", "*hash<string,int>"), ("type", hash_)])
    map_ = Die("typedef", [("name", "map[string]int"), ("type", phash), ("go_kind", 21), ("go_key", string),
                           ("go_elem", int_), ("go_runtime_type", next(rt))])
    hchan = Die("structure_type", [("name", "hchan<int>"), ("byte_size", 96)], [member("qcount", 0, uintptr)])
    phchan = Die("pointer_type", [("name", "*hchan<int>"), ("type", hchan)])
    chan = Die("typedef", [("name", "chan int"), ("type", phchan), ("go_kind", 18), ("go_elem", int_)])
    eface = Die("structure_type", [("name", "runtime.eface"), ("byte_size", 16)],
                [member("_type", 0, pu8), member("data", 8, unsafe)])
    empty = Die("typedef", [("name", "interface {}"), ("type", eface), ("go_kind", 20)])
    iface = Die("structure_type", [("name", "runtime.iface"), ("byte_size", 16)],
                [member("tab", 0, pu8), member("data", 8, unsafe)])
    error = Die("typedef", [("name", "error"), ("type", iface), ("go_kind", 20)])
    fn = Die("subroutine_type", [("name", "func(int) int"), ("byte_size", 8)])
    stack = Die("structure_type", [("name", "runtime.stack"), ("byte_size", 16), ("go_kind", 25)],
                [member("lo", 0, uintptr), member("hi", 8, uintptr)])
    g = Die("structure_type", [("name", "runtime.g"), ("byte_size", 160), ("go_kind", 25)],
            [member("stack", 0, stack), member("goid", 152, int_)])
    types = [int_, uintptr, u8, pu8, unsafe, string, pint, ints, arr, point, point_alias, inner, hash_, phash,
             map_, hchan, phchan, chan, eface, empty, iface, error, fn, stack, g]
    return types, {"int": int_, "main.Point": point_alias, "string": string, "[]int": ints, "map": map_}


def main(elf):
    with tempfile.TemporaryDirectory() as tmp:
        paths = {s: f"{tmp}/{s}" for s in ("info", "abbrev")}
        subprocess.run(["objcopy", "--dump-section", ".debug_info=" + paths["info"],
                        "--dump-section", ".debug_abbrev=" + paths["abbrev"], elf, "/dev/null"], check=True)
        old_info, old_abbrev = open(paths["info"], "rb").read(), open(paths["abbrev"], "rb").read()
        syms = subprocess.run(["readelf", "-sW", elf], check=True, capture_output=True, text=True).stdout
        entry = next(int(line.split()[1], 16) for line in syms.splitlines() if line.endswith(" main.gofunc"))
        types, named = go_types()
        cu = Die("compile_unit", [("name", "runtime"), ("language", 0x16), ("low_pc", entry), ("high_pc", 32)],
                 types + go_function(entry, named))
        abbrev, info = build(cu, len(old_abbrev))
        open(paths["info"], "wb").write(old_info + info)
        open(paths["abbrev"], "wb").write(old_abbrev + abbrev)
        subprocess.run(["objcopy", "--update-section", ".debug_info=" + paths["info"],
                        "--update-section", ".debug_abbrev=" + paths["abbrev"], elf], check=True)


if __name__ == "__main__":
    main(sys.argv[1])
