#!/bin/sh
# The window driven by a real X client (issue 23): xdotool clicks into the
# prompt and types while the suggestion list shows, clicks Generate, goes
# on typing, and clicks Generate again; each Generate with a known prompt
# must start a job whose result reaches the history with the typed prompt,
# and two results must have different seeds (a new seed each time); a
# click on the older thumbnail brings its settings back, and Generate then
# draws its seed again; 500 steps typed into Steps draw a picture, not
# noise.
# GtkEntryCompletion's popup grabbed the pointer and the keyboard here:
# after "a sn" no click or key reached the window.
#
# Run by meson under xvfb-run (1400x900):
#   check-window-x11.sh STEPWISE STEPWISE-CLI MODEL
# MODEL is the shipped ddpm-prompt-fashion, whose prompts the script types,
# opened with --model whatever the window's default model is.
# The window opens at (0, 0) at its default 1180x720 (no window manager), so
# the coordinates below are the prompt entry, the Generate button and the
# history strip's second thumbnail and the Steps entry there.
set -eu
stepwise=$1
cli=$2
model=$3
. "$(dirname "$0")/x11-session.sh"
history="$XDG_DATA_HOME/stepwise/history"

start_stepwise "$stepwise" --model "$model"

results () { ls "$history" 2>/dev/null | grep -c '\.png$' || true; }

# clicks Generate and waits for result number $1 (for $2 half-seconds,
# 120 unless given)
generate () {
  want=$1
  xdotool mousemove 1080 680 click 1
  for _ in $(seq "${2:-120}"); do
    [ "$(results)" -ge "$want" ] && return 0
    sleep 0.5
  done
  echo "Generate click $want started no job (the history holds $(results) results)" >&2
  exit 1
}

# "a sn": the list shows "a sneaker"; Generate refuses the unknown prompt
# with a toast over the button for 3 s
xdotool mousemove 960 325 click 1
xdotool type --delay 50 "a sn"
sleep 0.5
xdotool mousemove 1080 680 click 1
sleep 4
# back into the entry: typing goes on, Down picks the first suggestion and
# Return takes it ("a sneaker"), and Generate draws it
xdotool mousemove 960 325 click 1
xdotool key End
xdotool type --delay 50 "e"
sleep 0.5
xdotool key Down Return
generate 1
# "sneaker" (articles do not matter): the list shows "a sneaker" and
# "sneakers" while Generate is clicked
xdotool mousemove 960 325 click 1
xdotool key ctrl+a BackSpace
xdotool type --delay 50 sneaker
sleep 0.5
generate 2

setting () { "$cli" inspect "$1" | sed -n "s/^  stepwise.$2 = //p"; }
first=$(ls "$history"/*.png | sort | head -1)
second=$(ls "$history"/*.png | sort | tail -1)
[ "$(setting "$first" prompt)" = "a sneaker" ] && [ "$(setting "$second" prompt)" = sneaker ] \
  || { echo "the results do not have the typed prompts" >&2; exit 1; }
[ "$(setting "$first" seed)" != "$(setting "$second" seed)" ] || { echo "the two results share a seed" >&2; exit 1; }

# the history strip, newest first at the left: a click on the second
# thumbnail shows the first result and takes its settings and seed, so
# Generate draws it again
xdotool mousemove 393 650 click 1
sleep 0.5
generate 3
third=$(ls "$history"/*.png | sort | tail -1)
[ "$(setting "$third" prompt)" = "a sneaker" ] && [ "$(setting "$third" seed)" = "$(setting "$first" seed)" ] \
  || { echo "a click on the older thumbnail did not bring back its settings" >&2; exit 1; }
echo "seeds: $(setting "$first" seed) $(setting "$second" seed) $(setting "$third" seed)"

# 500 steps, a count that does not divide 999: the strided list must still
# start at the top of the schedule, or the result is the noise it started
# from.  The Steps entry is typed into; the picture is told from noise by
# its neighbouring pixels (noise differs by about 100 of 255 on average, a
# garment by a few tens).
xdotool mousemove 1058 482 click 1
xdotool key ctrl+a
xdotool type --delay 50 500
xdotool key Tab
sleep 0.5
generate 4 480
fourth=$(ls "$history"/*.png | sort | tail -1)
[ "$(setting "$fourth" steps)" = 500 ] || { echo "the Steps entry did not take 500" >&2; exit 1; }
python3 - "$fourth" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
pos, idat, width, height, channels = 8, b"", 0, 0, 0
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        channels = {0: 1, 2: 3}[colour]
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
raw = zlib.decompress(idat)
stride = width * channels + 1
rows = [raw[y * stride:(y + 1) * stride] for y in range(height)]
assert all(r[0] == 0 for r in rows), "Stepwise writes every scanline unfiltered"
diffs = [abs(r[1 + x + channels] - r[1 + x]) for r in rows for x in range(width * channels - channels)]
mean = sum(diffs) / len(diffs)
print(f"500 steps: neighbouring pixels differ by {mean:.1f} of 255 on average")
sys.exit(0 if mean < 40 else "500 steps drew noise")
EOF
