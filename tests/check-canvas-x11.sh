#!/bin/sh
# The canvas driven by a real X client (issue 24): with the shipped
# emoji-stage1 model (16 px colour) in Sketch mode, xdotool clicks the
# palette's red swatch, makes the brush bigger with its button, drags a
# horizontal stroke over the canvas, clicks the blue swatch and drags a
# vertical one, then presses "." (the next swatch, sky blue), types "a.b"
# into the prompt (that dot must stay the entry's, not step the palette
# on to green) and drags a short one.  The canvas's autosave then holds
# the layers: its grid must be 64 x 64, and the strokes' middles must be
# exactly those colours on it, with white paper elsewhere.  With
# STEPWISE_SCREENSHOT_DIR set, the screen is saved there as
# canvas-x11.png.
#
# Run by meson under xvfb-run (1400x900):
#   check-canvas-x11.sh STEPWISE MODEL
# The window opens at (0, 0) at its default 1180x720 (no window manager);
# the coordinates below are the palette's swatches, the bigger-brush
# button, the prompt entry and points inside the canvas there.
set -eu
stepwise=$1
model=$2
. "$(dirname "$0")/x11-session.sh"
layers="$XDG_STATE_HOME/stepwise/canvas/layers-3x64x64.bin"

start_stepwise "$stepwise" --model "$model" --mode 1

stroke () {   # x0 y0 x1 y1
  drag "$@"
  sleep 0.3
}

xdotool mousemove 342 144 click 1   # red
for _ in 1 2; do xdotool mousemove 129 571 click 1; sleep 0.1; done   # brush 4 -> 6.25 px
stroke 70 300 320 300
xdotool mousemove 260 166 click 1   # blue
stroke 190 230 190 500
sleep 0.5                           # the stroke's release reaches the window first
xdotool key period                  # the next swatch: sky blue
sleep 0.5                           # handled before the click below moves the focus
xdotool mousemove 960 340 click 1   # the prompt: a typed dot is text, not "."
xdotool type --delay 50 "a.b"
stroke 80 450 150 450
sleep 1.5                           # the autosave waits 0.4 s after a stroke
[ -z "${STEPWISE_SCREENSHOT_DIR:-}" ] || import -window root "$STEPWISE_SCREENSHOT_DIR/canvas-x11.png"

python3 - "$layers" <<'PYEOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"SWCANV01", "not the canvas's layers"
C, S, K = struct.unpack("=3i", data[8:20])
assert (C, S) == (3, 64), f"a {C} x {S} x {S} canvas, not 3 x 64 x 64"
H = S * K
image = struct.unpack(f"={C * S * S}f", data[20:20 + 4 * C * S * S])
sketch = data[20 + 4 * C * S * S:20 + 4 * C * S * S + 4 * H * H]

def pixel(x, y):
    """grid pixel (x, y): the sketch's 8 x 8 block over the image, bytes"""
    a = r = g = b = 0
    for v in range(K):
        row = (y * K + v) * H * 4
        for u in range(K):
            p = row + (x * K + u) * 4   # premultiplied ARGB32, little-endian
            b += sketch[p]; g += sketch[p + 1]; r += sketch[p + 2]; a += sketch[p + 3]
    n = 255.0 * K * K
    a, ink = a / n, (r / n, g / n, b / n)
    out = []
    for c in range(C):
        under = 0.5 * image[c * S * S + y * S + x] + 0.5
        out.append(round(255 * (under * (1 - a) + ink[c])))
    return tuple(out)

grid = [[pixel(x, y) for x in range(S)] for y in range(S)]
def count(rgb):
    return sum(row.count(rgb) for row in grid)
red, blue, sky, white = (0xe5, 0x39, 0x35), (0x1e, 0x88, 0xe5), (0x4f, 0xc3, 0xf7), (255, 255, 255)
print(f"grid {S}: {count(red)} red, {count(blue)} blue, {count(sky)} sky-blue, {count(white)} white pixels")
rows = [y for y in range(S) if grid[y].count(red) >= 20]
cols = [x for x in range(S) if sum(grid[y][x] == blue for y in range(S)) >= 20]
assert rows, "no row of the canvas holds the red stroke"
assert cols, "no column of the canvas holds the blue stroke"
assert count(sky) >= 5, "the sky-blue stroke (after '.') is missing"
assert count(white) > S * S // 2, "the paper is not white"
print(f"red stroke on rows {rows}, blue on columns {cols}")
PYEOF
