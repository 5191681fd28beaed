#!/usr/bin/env python3
"""Writes small .gopclntab tables for the pclntab and elf fuzz seeds.

A Go binary's table is hundreds of KB (the runtime alone); libFuzzer
mutates a few KB far better. So this keeps a few functions of a real table
(their names, pc tables and files as the Go linker wrote them) and writes
them back in each layout gotrace reads (Go 1.2, 1.16, 1.18, 1.20; 64-bit,
little-endian, in the linker's region order).

  make_pclntab.py subset GO_BINARY OUT_PREFIX [NAME_PREFIX...]
      A Go 1.18+ binary's functions whose names start with a NAME_PREFIX
      (default main.), plus the first few, as OUT_PREFIX-go12 ... -go120.
  make_pclntab.py synth OUT TEXT_START VERSION NAME:ENTRY:END...
      One row per function (file "x.go", line 1): a table that agrees with
      the .text of a hand-made ELF (tests/fuzz/seeds/make_elf.sh).
"""
import struct
import subprocess
import sys
import tempfile

MAGIC = {"go12": 0xFFFFFFFB, "go116": 0xFFFFFFFA, "go118": 0xFFFFFFF0, "go120": 0xFFFFFFF1}


def uvarint(data, pos):
    v = shift = 0
    while True:
        c = data[pos]
        pos += 1
        v |= (c & 0x7F) << shift
        if not c & 0x80:
            return v, pos
        shift += 7


def put_uvarint(out, v):
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)


def decode_table(data, pos, quantum):
    """(end pc offset, value) rows of a pc-value table."""
    rows, value, pc, first = [], -1, 0, True
    while True:
        uv, pos = uvarint(data, pos)
        if uv == 0 and not first:
            return rows
        first = False
        pcd, pos = uvarint(data, pos)
        delta = ~(uv >> 1) if uv & 1 else uv >> 1
        value += delta
        pc += pcd * quantum
        rows.append((pc, value))


def encode_table(rows, quantum):
    out, prev, pc = bytearray(), -1, 0
    for i, (end, value) in enumerate(rows):
        if i + 1 < len(rows) and rows[i + 1][1] == value:
            continue
        d = value - prev
        put_uvarint(out, ((d << 1) ^ (d >> 31)) & 0xFFFFFFFF)
        put_uvarint(out, (end - pc) // quantum)
        prev, pc = value, end
    out.append(0)
    return bytes(out)


def cstr(data, off):
    return data[off:data.index(b"\0", off)].decode()


def read_go118(data):
    """Functions of a Go 1.18+ table: dicts with name, entry (from text
    start), end, args, func_id, flag, files and the three tables' rows."""
    magic, _, quantum, ptr = struct.unpack_from("<IHBB", data, 0)
    assert magic in (MAGIC["go118"], MAGIC["go120"]) and ptr == 8, "need a 64-bit Go 1.18+ table"
    nfunc, _, text, names, cutab, filetab, pctab, functab = struct.unpack_from("<8Q", data, 8)
    funcs = []
    for i in range(nfunc):
        entry, funcoff, nxt = struct.unpack_from("<III", data, functab + 8 * i)
        off = functab + funcoff
        (own, nameoff, args, _, pcsp, pcfile, pcln, _, cu) = struct.unpack_from("<IiiIIIIII", data, off)
        fid_at = off + (40 if magic == MAGIC["go120"] else 36)
        f = {"name": cstr(data, names + nameoff), "entry": entry, "end": nxt, "args": args,
             "func_id": data[fid_at], "flag": data[fid_at + 1], "quantum": quantum}
        if pcsp:
            f["sp"] = decode_table(data, pctab + pcsp, quantum)
            fileno = decode_table(data, pctab + pcfile, quantum)
            f["line"] = decode_table(data, pctab + pcln, quantum)
            f["end"] = f["sp"][-1][0] + entry
            # The CU's file names this function uses, renumbered from 0.
            used = sorted({v for _, v in fileno if v >= 0})
            f["files"] = [cstr(data, filetab + struct.unpack_from("<I", data, cutab + 4 * (cu + n))[0]) for n in used]
            f["file"] = [(pc, used.index(v) if v >= 0 else v) for pc, v in fileno]
        funcs.append(f)
    return text, quantum, funcs


def write_table(version, text, quantum, funcs):
    go12, go118 = version == "go12", version in ("go118", "go120")
    names, files, pctab, cutab = bytearray(), bytearray(), bytearray(), bytearray()
    global_files = []  # Go 1.2: string offsets into names, numbered from 1
    pctab.append(0)  # offset 0 means "no table"
    recs = []
    for f in funcs:
        r = {"name": len(names), "cu": len(cutab) // 4, "sp": 0, "file": 0, "line": 0}
        names += f["name"].encode() + b"\0"
        fileno = []
        for path in f.get("files", []):
            if go12:
                global_files.append(len(names))
                names += path.encode() + b"\0"
                fileno.append(len(global_files))
            else:
                cutab += struct.pack("<I", len(files))
                files += path.encode() + b"\0"
                fileno.append(len(fileno))
        if "sp" in f:
            for key, rows in (("sp", f["sp"]), ("file", [(pc, fileno[v] if v >= 0 else v) for pc, v in f["file"]]),
                              ("line", f["line"])):
                r[key] = len(pctab)
                pctab += encode_table(rows, quantum)
        recs.append(r)

    n = len(funcs)
    field = 4 if go118 else 8
    func_size = {"go12": 40, "go116": 44, "go118": 40, "go120": 44}[version]
    header = 16 if go12 else 8 + (8 if go118 else 7) * 8
    functab_size = (2 * n + 1) * field
    if go12:
        functab_at = header
        funcs_at = functab_at + functab_size + 4
        filetab12_at = funcs_at + n * func_size
        names_at = filetab12_at + 4 * (len(global_files) + 1)
        pctab_at = names_at + len(names)
    else:
        names_at = header
        cutab_at = names_at + len(names)
        files_at = cutab_at + len(cutab)
        pctab_at = files_at + len(files)
        functab_at = pctab_at + len(pctab)
        funcs_at = functab_at + functab_size

    out = bytearray(struct.pack("<IHBB", MAGIC[version], 0, quantum, 8))
    if go12:
        out += struct.pack("<Q", n)
    else:
        out += struct.pack("<QQ", n, 0)
        if go118:
            out += struct.pack("<Q", text)
        out += struct.pack("<5Q", names_at, cutab_at, files_at, pctab_at, functab_at)
        out += names + cutab + files + pctab
    entry = (lambda e: e) if go118 else (lambda e: text + e)
    fmt = "<I" if field == 4 else "<Q"
    for i, f in enumerate(funcs):
        out += struct.pack(fmt, entry(f["entry"]))
        out += struct.pack(fmt, (funcs_at if go12 else funcs_at - functab_at) + i * func_size)
    out += struct.pack(fmt, entry(funcs[-1]["end"]))
    if go12:
        out += struct.pack("<I", filetab12_at)
    pc = (lambda o: pctab_at + o if o else 0) if go12 else (lambda o: o)
    for f, r in zip(funcs, recs):
        out += struct.pack("<I", f["entry"]) if go118 else struct.pack("<Q", text + f["entry"])
        out += struct.pack("<IiIIIII", (names_at if go12 else 0) + r["name"], f["args"], 0,
                           pc(r["sp"]), pc(r["file"]), pc(r["line"]), 0)
        if go12:
            out += struct.pack("<I", 0)
            continue
        out += struct.pack("<I", r["cu"])
        if version == "go120":
            out += struct.pack("<i", 0)
        out += bytes([f["func_id"], f["flag"] if version != "go116" else 0, 0, 0])
    if go12:
        out += struct.pack("<I", len(global_files) + 1)
        out += b"".join(struct.pack("<I", names_at + g) for g in global_files)
        out += names + pctab
    return bytes(out)


def subset(binary, prefix, wanted):
    with tempfile.NamedTemporaryFile() as tmp:
        subprocess.run(["objcopy", "--dump-section", ".gopclntab=" + tmp.name, binary, "/dev/null"], check=True)
        data = open(tmp.name, "rb").read()
    text, quantum, funcs = read_go118(data)
    keep = [f for i, f in enumerate(funcs) if i < 4 or any(f["name"].startswith(w) for w in wanted)]
    for version in MAGIC:
        with open(f"{prefix}-{version}", "wb") as out:
            out.write(write_table(version, text, quantum, keep))


def synth(out, text, version, specs):
    funcs = []
    for spec in specs:
        name, entry, end = spec.rsplit(":", 2)
        entry, end = int(entry, 0) - text, int(end, 0) - text
        funcs.append({"name": name, "entry": entry, "end": end, "args": 8, "func_id": 0, "flag": 0,
                      "files": ["x.go"], "sp": [(end - entry, 8)], "file": [(end - entry, 0)],
                      "line": [(end - entry, 1)]})
    with open(out, "wb") as f:
        f.write(write_table(version, text, 1, funcs))


if __name__ == "__main__":
    if sys.argv[1] == "subset":
        subset(sys.argv[2], sys.argv[3], sys.argv[4:] or ["main."])
    else:
        synth(sys.argv[2], int(sys.argv[3], 0), sys.argv[4], sys.argv[5:])
