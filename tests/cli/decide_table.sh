#!/usr/bin/env bash
# The decision table (tests/decide/table.yaml, 150 cases from the source policies'
# sentences) against mic-standard, むつ市議会, 市川市 and 真鶴町.
set -u
: "${MAMORI:?}" "${SRCDIR:?}"
exec /usr/bin/python3 "$SRCDIR/tests/cli/decide_table.py" "$MAMORI" "$SRCDIR" "$SRCDIR/tests/decide/table.yaml"
