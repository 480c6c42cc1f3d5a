# The soak at 10,000 desktops (make bench runs 25k, 50k and 100k): every
# fault of ecd-sim at once, client and admin mode, --rate 0.  Every
# desktop ends in exactly one leaf, client mode reboots each exactly once;
# tests/bench/soak.sh does the checks and fails on any of them.
set -eu
sh "$2/tests/bench/soak.sh" "$1" 10000 "client admin"
