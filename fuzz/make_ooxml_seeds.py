#!/usr/bin/env python3
"""Turns zips into fuzz_ooxml's entry-list seeds ("@@NAME\\n" + bytes per entry).
Usage: make_ooxml_seeds.py OUTDIR FILE.zip..."""
import os, sys, zipfile
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for path in sys.argv[2:]:
    z = zipfile.ZipFile(path)
    data = b"".join(b"@@" + n.encode() + b"\n" + z.read(n) for n in z.namelist())
    open(os.path.join(out, os.path.basename(path) + ".entries"), "wb").write(data)
