#!/usr/bin/env python3
"""The include graph keeps the layering docs/design.md describes.

- engine/ includes only its own headers, by folder ("nn/layers.h"), and
  each folder only from the folders before it in LAYERS: sampling
  (models/, diffusion/) never includes training code (train/).
- app/ includes nothing from ui/; neither front end is included by the
  engine.
Prints every include that breaks a rule and exits 1 if there is one.
"""
import os
import re
import sys

LAYERS = ["base", "nn", "io", "models", "data", "diffusion", "eval", "train"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(folder):
    for dirpath, _, files in os.walk(folder):
        for name in sorted(files):
            if name.endswith((".c", ".h")):
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8") as f:
                    yield path, INCLUDE.findall(f.read())


def main(top):
    os.chdir(top)
    broken = []
    for path, includes in sources("engine"):
        layer = path.split(os.sep)[1]
        for inc in includes:
            folder = inc.split("/")[0] if "/" in inc else None
            if folder not in LAYERS or not os.path.exists(os.path.join("engine", inc)):
                broken.append(f"{path}: \"{inc}\" is not an engine header named by its folder")
            elif LAYERS.index(folder) > LAYERS.index(layer):
                broken.append(f"{path}: {layer}/ includes \"{inc}\" from {folder}/, a later layer "
                              f"(order: {', '.join(LAYERS)})")
    for path, includes in sources("app"):
        for inc in includes:
            if os.path.exists(os.path.join("ui", os.path.basename(inc))) and not os.path.exists(
                    os.path.join("app", inc)):
                broken.append(f"{path}: the CLI includes the window's \"{inc}\"")
    for line in broken:
        print(line)
    print(f"{len(broken)} include(s) out of layer")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
