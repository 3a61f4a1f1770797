"""The baseline for `npm run bench:import`: a plain Python PIL loop over the same class folders, doing the
same work per file as PruneLab's import (decode, convert to the dataset's channels, resize to its size,
collect the bytes). Prints one JSON line: {"images": N, "seconds": S}."""
import json
import os
import sys
import time

from PIL import Image

root, size, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
paths = []
for cls in sorted(os.listdir(root)):
    for dirpath, _, files in os.walk(os.path.join(root, cls)):
        paths.extend((os.path.join(dirpath, f), cls) for f in sorted(files))

start = time.perf_counter()
pixels = bytearray()
labels = []
for path, cls in paths:
    with Image.open(path) as im:
        im = im.convert(mode)
        if im.size != (size, size):
            im = im.resize((size, size))
        pixels += im.tobytes()
        labels.append(cls)
seconds = time.perf_counter() - start
print(json.dumps({"images": len(labels), "seconds": seconds}))
