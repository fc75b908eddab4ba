#!/usr/bin/python3
"""Minimal PNG reader (8-bit greyscale/RGB/RGBA, not interlaced) with zlib only,
for the report test: counts non-white pixels and crops a band for viewing.

usage: png.py stats FILE            -> "W H nonwhite_fraction distinct_colours"
       png.py crop FILE OUT Y0 Y1   -> OUT holds rows Y0..Y1-1
"""
import struct
import sys
import zlib


def read(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, w = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, inter = struct.unpack(">IIBBBBB", body)
            if depth != 8 or inter or ctype not in (0, 2, 6):
                raise ValueError("unsupported PNG (depth %d, colour type %d)" % (depth, ctype))
            bpp = {0: 1, 2: 3, 6: 4}[ctype]
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def write(path, w, bpp, rows):
    ctype = {1: 0, 3: 2, 4: 6}[bpp]
    raw = b"".join(b"\x00" + r for r in rows)

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, len(rows), 8, ctype, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 6)))
        f.write(chunk(b"IEND", b""))


def main():
    if sys.argv[1] == "stats":
        w, h, bpp, rows = read(sys.argv[2])
        nonwhite, colours = 0, set()
        for r in rows:
            for x in range(0, w * bpp, bpp * 4):  # every 4th pixel: fast enough, still fine-grained
                px = r[x:x + min(bpp, 3)]
                if any(v < 235 for v in px):
                    nonwhite += 1
                if len(colours) < 5000:
                    colours.add(px)
        print(w, h, "%.4f" % (nonwhite / float(h * ((w + 3) // 4))), len(colours))
    elif sys.argv[1] == "crop":
        w, h, bpp, rows = read(sys.argv[2])
        y0, y1 = int(sys.argv[4]), min(int(sys.argv[5]), h)
        write(sys.argv[3], w, bpp, rows[y0:y1])
    else:
        sys.exit("usage: png.py stats FILE | crop FILE OUT Y0 Y1")


if __name__ == "__main__":
    main()
