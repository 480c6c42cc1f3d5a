#!/bin/sh
# The rooms of src/ and their order.  CMake already refuses an #include
# that breaks the order (each room sees only the headers of the rooms it
# depends on); this test says it in words, checks the rooms against the
# table in src/CMakeLists.txt, and checks what no compiler can: that only
# net/ drives libcurl transfers, that every header of a room is found in
# exactly one room, and that no room outgrows ten modules.
# Args: BUILD_DIR SOURCE_DIR.
set -u
SRC="$2/src"
fails=0
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# "room dep dep ..." for each wr_room() line of the table.
table=$(sed -n 's/^wr_room(\([a-z]*\)\(.*\))$/\1 \2/p' "$SRC/CMakeLists.txt" |
  sed 's/ LIBS .*//; s/ DEPS / /')
[ -n "$table" ] || fail "no wr_room() table in src/CMakeLists.txt"
rooms=$(echo "$table" | awk '{print $1}')

deps_of() { echo "$table" | awk -v r="$1" '$1 == r { $1 = ""; print }'; }

# Every room the room may see: itself and its dependencies, transitively.
closure() {
  seen="$1"
  todo="$1"
  while [ -n "$todo" ]; do
    set -- $todo
    cur=$1
    shift
    todo="$*"
    for d in $(deps_of "$cur"); do
      case " $seen " in *" $d "*) ;; *) seen="$seen $d"; todo="$todo $d" ;; esac
    done
  done
  echo "$seen"
}

# Each folder of src/ but sim is a room of the table, and the reverse.
for d in "$SRC"/*/; do
  r=$(basename "$d")
  [ "$r" = sim ] && continue
  echo "$rooms" | grep -qx "$r" || fail "src/$r/ is not in the table of src/CMakeLists.txt"
done
for r in $rooms; do
  [ -d "$SRC/$r" ] || fail "room $r of the table has no folder src/$r/"
done

# Where each header lives; a name in two rooms would make includes ambiguous.
for h in $(cd "$SRC" && ls */*.h | sed 's|.*/||' | sort | uniq -d); do
  fail "header $h is in more than one room"
done

# The rooms file f (in room r) includes that r may not see.
bad_includes() {
  allowed=$(closure "$1")
  for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$2"); do
    home=$(cd "$SRC" && ls */"$inc" 2> /dev/null | grep -v '^sim/' | head -n 1)
    home=${home%%/*}
    [ -n "$home" ] || continue
    case " $allowed " in
    *" $home "*) ;;
    *) echo "$inc from room $home (room $1 sees:$allowed)" ;;
    esac
  done
}

for r in $rooms; do
  n=$(ls "$SRC/$r"/*.c 2> /dev/null | wc -l)
  if [ "$n" -gt 10 ]; then
    fail "src/$r/ holds $n modules (.c files); split it (rooms hold at most 10)"
  fi
  for f in "$SRC/$r"/*.c "$SRC/$r"/*.h; do
    [ -e "$f" ] || continue
    bad=$(bad_includes "$r" "$f")
    [ -z "$bad" ] || fail "src/$r/$(basename "$f") includes $bad"
  done
done

# The check bites: a base file that includes plan.h (input) is caught.
T=$(mktemp)
trap 'rm -f "$T"' EXIT
printf '#include "buf.h"\n#include "plan.h"\n' > "$T"
case "$(bad_includes base "$T")" in
"plan.h from room input"*) ;;
*) fail "a base file including plan.h was not caught" ;;
esac

# The transfers themselves belong to net/ (the only code that drives
# libcurl's multi or easy transfers); others may parse URLs with curl.
others=$(grep -l 'curl_multi_\|curl_easy_perform\|curl_easy_init' "$SRC"/*/*.c |
  grep -v "^$SRC/net/")
[ -z "$others" ] || fail "libcurl transfers outside src/net/: $others"

[ "$fails" -eq 0 ] || exit 1
echo "ok: $(echo "$rooms" | wc -l) rooms in order"
