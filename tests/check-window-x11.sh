#!/bin/sh
# The window driven by a real X client (issue 23): xdotool clicks into the
# prompt and types while the suggestion list shows, clicks Generate, goes
# on typing, and clicks Generate again; each Generate with a known prompt
# must start a job whose result reaches the history with the typed prompt,
# and two results must have different seeds (a new seed each time).
# GtkEntryCompletion's popup grabbed the pointer and the keyboard here:
# after "a sn" no click or key reached the window.
#
# Run by meson under xvfb-run (1400x900): check-window-x11.sh STEPWISE STEPWISE-CLI
# The window opens at (0, 0) at its default 1180x720 (no window manager), so
# the coordinates below are the prompt entry and the Generate button there.
set -eu
stepwise=$1
cli=$2
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config"
history="$XDG_DATA_HOME/stepwise/history"

"$stepwise" &
pid=$!
xdotool search --sync --onlyvisible --name '^Stepwise$' >/dev/null
sleep 3   # the model loads on a worker

results () { ls "$history" 2>/dev/null | grep -c '\.png$' || true; }

# clicks Generate and waits for result number $1
generate () {
  want=$1
  xdotool mousemove 1080 680 click 1
  for _ in $(seq 120); do
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
# back into the entry: typing finishes the prompt, and Generate draws it
xdotool mousemove 960 325 click 1
xdotool key End
xdotool type --delay 50 "eaker"
generate 1
# "sneaker" (articles do not matter): the list shows "a sneaker" and
# "sneakers" while Generate is clicked
xdotool mousemove 960 325 click 1
xdotool key ctrl+a BackSpace
xdotool type --delay 50 sneaker
sleep 0.5
generate 2

for png in "$history"/*.png; do
  "$cli" inspect "$png" > "$tmp/inspect"
  grep '^  stepwise.prompt = ' "$tmp/inspect" >> "$tmp/prompts"
  grep '^  stepwise.seed = ' "$tmp/inspect" >> "$tmp/seeds"
done
cat "$tmp/prompts" "$tmp/seeds"
grep -q '= a sneaker$' "$tmp/prompts" && grep -q '= sneaker$' "$tmp/prompts" \
  || { echo "the results do not have the typed prompts" >&2; exit 1; }
[ "$(sort -u "$tmp/seeds" | wc -l)" -eq 2 ] || { echo "the two results share a seed" >&2; exit 1; }
