# x11-session.sh, sourced by the scripts that drive the window with
# xdotool under Xvfb (tests/check-*-x11.sh, build-aux/screenshots-sdedit):
# Stepwise's data, state and settings in a fresh temporary folder, removed
# on exit with the app stopped.
#   start_stepwise STEPWISE ARGS...  starts it; returns once its window
#                                    shows and its model has had 3 s to load
#   drag X0 Y0 X1 Y1                 a mouse drag in ten moves
tmp=$(mktemp -d)
pid=
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config"

start_stepwise () {
  "$@" &
  pid=$!
  xdotool search --sync --onlyvisible --name '^Stepwise$' >/dev/null
  sleep 3   # the model loads on a worker
}

drag () {
  xdotool mousemove "$1" "$2" mousedown 1
  for k in 1 2 3 4 5 6 7 8 9 10; do
    xdotool mousemove $(($1 + ($3 - $1) * k / 10)) $(($2 + ($4 - $2) * k / 10))
    sleep 0.02
  done
  xdotool mouseup 1
}
