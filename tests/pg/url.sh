# tests/pg/url.sh — sourced by mamori-pg.sh and sql.sh: the store on the test
# cluster ($MAMORI_TEST_PG) that stands for the file path a CLI test names.
# The schema is named after the whole path (the tests' directories are
# unique): [a-z_][a-z0-9_]*, at most 63 bytes, as store_pg_meta.c accepts.

# The schema for the file path $1.
pg_schema() {
	local abs base hash
	abs=$(realpath -m -- "$1")
	base=${abs##*/}
	base=${base,,}
	base=${base//[^a-z0-9]/_}
	hash=$(printf '%s' "$abs" | sha256sum)
	printf 't_%s_%s' "${base:0:24}" "${hash:0:16}"
}

# The store's URL for the file path $1: files= is the path itself, so the
# store's keys, files of records and mail lock stay where the test looks for
# them.  A URL, or an empty value, as it is.
pg_url() {
	local abs enc sep='?'
	case $1 in
	'' | postgresql://* | postgres://*) printf '%s' "$1"; return ;;
	esac
	abs=$(realpath -m -- "$1")
	# the characters a URL's query cannot hold as they are
	enc=${abs//%/%25}
	enc=${enc//&/%26}
	enc=${enc//+/%2B}
	enc=${enc//#/%23}
	enc=${enc// /%20}
	case $MAMORI_TEST_PG in *\?*) sep='&' ;; esac
	printf '%s%sschema=%s&files=%s' "$MAMORI_TEST_PG" "$sep" "$(pg_schema "$abs")" "$enc"
}
