#!/usr/bin/env python3
"""Reads barcode images with zxing-cpp, a reader nobody on this project wrote, for CardBarcodeTests.

Usage: read_barcodes.py FILE...   (PNG or SVG)
Prints a JSON list, one object per file: {"path", "barcodes": [{"format", "text", "ec_level", "extra"}],
"problems": [...]}. Before reading, each PNG's chunk CRCs and zlib stream (Adler-32) are checked with
Python's own zlib, and each SVG is parsed as XML and drawn from its <path> onto a Pillow image.
Exits 3 with a message naming the missing package when zxing-cpp or Pillow is not installed.
"""
import json
import re
import struct
import sys
import xml.etree.ElementTree as ElementTree
import zlib

try:
    import zxingcpp
    from PIL import Image, ImageDraw
except ImportError as error:
    print(f"missing Python package ({error}); install with: python3 -m pip install zxing-cpp pillow", file=sys.stderr)
    sys.exit(3)

SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"


def check_png(data):
    """Returns problems found by reading the PNG structure independently of the Swift encoder."""
    problems = []
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return ["bad PNG signature"]
    offset, idat, header = 8, b"", None
    chunk_types = []
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        payload = data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        if zlib.crc32(kind + payload) != crc:
            problems.append(f"CRC mismatch in {kind.decode()} chunk")
        chunk_types.append(kind.decode())
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", payload)
        elif kind == b"IDAT":
            idat += payload
        offset += 12 + length
    if chunk_types[0] != "IHDR" or chunk_types[-1] != "IEND":
        problems.append(f"chunk order {chunk_types}")
    width, height, depth, colour, _, _, interlace = header
    if (depth, colour, interlace) != (8, 0, 0):
        problems.append(f"not 8-bit grayscale without interlace: {header}")
    try:
        pixels = zlib.decompress(idat)  # raises on a wrong Adler-32 or a malformed stream
    except zlib.error as error:
        return problems + [f"zlib: {error}"]
    if len(pixels) != (width + 1) * height:
        problems.append(f"{len(pixels)} bytes of scanlines for {width}x{height}")
    elif any(pixels[row * (width + 1)] != 0 for row in range(height)):
        problems.append("a scanline filter byte is not 0")
    return problems


def draw_svg(path):
    """Parses the SVG and paints its background rect and path (absolute M, relative h/v, z) in pixels."""
    root = ElementTree.parse(path).getroot()
    problems = []
    if root.tag != SVG_NAMESPACE + "svg":
        problems.append(f"root element is {root.tag}")
    if root.get("shape-rendering") != "crispEdges":
        problems.append("shape-rendering is not crispEdges")
    width, height = int(root.get("width")), int(root.get("height"))
    _, _, view_width, view_height = (float(v) for v in root.get("viewBox").split())
    scale_x, scale_y = width / view_width, height / view_height
    image = Image.new("L", (width, height), 128)  # grey: whatever the SVG leaves unpainted shows up
    draw = ImageDraw.Draw(image)
    rects = root.findall(SVG_NAMESPACE + "rect")
    paths = root.findall(SVG_NAMESPACE + "path")
    if len(rects) != 1 or len(paths) != 1:
        problems.append(f"{len(rects)} rects and {len(paths)} paths, expected one of each")
    for rect in rects:
        draw.rectangle([0, 0, round(float(rect.get("width")) * scale_x) - 1, round(float(rect.get("height")) * scale_y) - 1],
                       fill=255 if rect.get("fill") == "#fff" else 0)
    for element in paths:
        colour = 0 if element.get("fill") == "#000" else 255
        x = y = 0.0
        corners = []
        for command, number in re.findall(r"([MhvzZ])\s*([-0-9. ]*)", element.get("d")):
            values = [float(v) for v in number.split()]
            if command == "M":
                x, y = values
                corners = [(x, y)]
            elif command == "h":
                x += values[0]
                corners.append((x, y))
            elif command == "v":
                y += values[0]
                corners.append((x, y))
            else:
                xs = [c[0] for c in corners]
                ys = [c[1] for c in corners]
                draw.rectangle([round(min(xs) * scale_x), round(min(ys) * scale_y),
                                round(max(xs) * scale_x) - 1, round(max(ys) * scale_y) - 1], fill=colour)
    if 128 in image.getdata():
        problems.append("the SVG leaves pixels unpainted")
    return image, problems


def read(path):
    problems = []
    try:
        if path.endswith(".svg"):
            image, problems = draw_svg(path)
        else:
            with open(path, "rb") as file:
                problems = check_png(file.read())
            image = Image.open(path)
            image.load()
    except Exception as error:  # a file Pillow or the XML parser refuses is a finding, not a crash
        return {"path": path, "barcodes": [], "problems": problems + [f"unreadable: {error!r}"]}
    barcodes = [
        {"format": barcode.format.name, "text": barcode.text, "ec_level": barcode.ec_level,
         "extra": {key: str(value) for key, value in (barcode.extra or {}).items()}}
        for barcode in zxingcpp.read_barcodes(image)
    ]
    return {"path": path, "barcodes": barcodes, "problems": problems}


if __name__ == "__main__":
    json.dump([read(path) for path in sys.argv[1:]], sys.stdout)
