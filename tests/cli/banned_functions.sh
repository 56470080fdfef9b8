#!/usr/bin/env bash
# The house style bans functions that invite overflows or hide errors
# (STYLE.md): strcpy, strcat, sprintf, vsprintf, strtok, atoi, atol, gets.
. "$(dirname "$0")/lib.sh"

cd "$SRCDIR" || exit 1
pattern='\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|gets)[[:space:]]*\('
for f in $(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 'fuzz/*.c' 'bench/*.c' 2>/dev/null || find src include -name '*.[ch]'); do
	[ -f "$f" ] || continue
	if grep -nE "$pattern" "$f" | grep -vE '(snprintf|vsnprintf)[[:space:]]*\(' >"$TMP/hits"; then
		not_ok "$f uses a banned function:"; cat "$TMP/hits" >&2
	else
		ok
	fi
done
finish
