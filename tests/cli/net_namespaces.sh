#!/usr/bin/env bash
# The rendered ruleset enforces the policy's flows on a real (namespaced)
# network.  A router namespace loads `mamori net render` of mic-standard with
# `nft -f`; one namespace per segment holds a host and the segment's gateways
# (their addresses from the policy) on a veth pair to the router.  From each
# segment's host a TCP connect, bounded by a timeout, goes to every address of
# the other segments on every port the policy names and one it does not, over
# IPv4 and IPv6: exactly the policy's flows connect (mail from the internet side
# only to the LGWAN side's gateway), everything else is dropped, and the drop
# rule that counted it names the pair and the clause.
# Needs root, nft, ip (iproute2) and python3: exit 77 (skipped) without them,
# never a silent pass.  The namespaces are removed on every exit.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (network namespaces)"; exit 77; fi
for tool in nft ip python3; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (scripts/install-deps.sh --tests)"; exit 77; }
done
tag="m$(($$ % 100000))"
R="$tag-r"
if ! ip netns add "$R" 2>"$TMP/netns.err"; then
	echo "SKIP: cannot make a network namespace here: $(cat "$TMP/netns.err")"; exit 77
fi

listeners=()
cleanup() {
	local pid ns
	for pid in "${listeners[@]}"; do kill "$pid" 2>/dev/null; done
	wait 2>/dev/null
	for ns in "$R" "$tag-mynumber" "$tag-lgwan" "$tag-internet"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

PROBE="$SRCDIR/tests/cli/net_probe.py"
POLICY="$SRCDIR/policies/mic-standard.yaml"
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
setup_fail() { not_ok "setup: $*"; finish; exit 1; }

# segment  octet  addresses of its namespace (the host .10 first, then the gateways)
segments=(mynumber lgwan internet)
declare -A octet=([mynumber]=10 [lgwan]=20 [internet]=30)
declare -A extra=([mynumber]="" [lgwan]="25 80" [internet]="25 89")
ports=(22 25 443 587 3389)

in_ns "$R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 || setup_fail "forwarding"
in_ns "$R" ip link set lo up
for seg in "${segments[@]}"; do
	ns="$tag-$seg" o=${octet[$seg]}
	ip netns add "$ns" || setup_fail "netns $ns"
	ip link add "$tag${seg:0:2}r" netns "$R" type veth peer name eth0 netns "$ns" || setup_fail "veth $seg"
	in_ns "$R" ip addr add "10.$o.0.1/16" dev "$tag${seg:0:2}r"
	in_ns "$R" ip addr add "fd00:$o::1/48" dev "$tag${seg:0:2}r" nodad
	in_ns "$R" ip link set "$tag${seg:0:2}r" up
	in_ns "$ns" ip link set lo up
	in_ns "$ns" ip link set eth0 up
	for h in 10 ${extra[$seg]}; do
		in_ns "$ns" ip addr add "10.$o.0.$h/16" dev eth0
		in_ns "$ns" ip addr add "fd00:$o::$h/48" dev eth0 nodad
	done
	in_ns "$ns" ip route add default via "10.$o.0.1"
	in_ns "$ns" ip -6 route add default via "fd00:$o::1"
	# started directly (not through a function: $! is then the listener itself,
	# ip netns exec execs it) and off the test's output, which meson waits on
	ip netns exec "$ns" python3 "$PROBE" listen "$TMP/ready-$seg" "${ports[@]}" \
		</dev/null >"$TMP/listen-$seg.log" 2>&1 &
	listeners+=($!)
done
for seg in "${segments[@]}"; do
	for _ in $(seq 50); do [ -s "$TMP/ready-$seg" ] && break; sleep 0.1; done
	[ -s "$TMP/ready-$seg" ] || setup_fail "the listener in $seg did not start"
done

# before the ruleset: the router forwards everything (the probe can connect at all)
echo "10.30.0.10 10.20.0.10 22" | in_ns "$tag-internet" python3 "$PROBE" probe 3 >"$TMP/pre"
expect_grep "$TMP/pre" " ok$" "without the ruleset the router forwards (the test's network works)"

"$MAMORI" net render "$POLICY" >"$TMP/mic.nft" || setup_fail "net render"
in_ns "$R" nft -f "$TMP/mic.nft" 2>"$TMP/nft.err" || { sed 's/^/  | /' "$TMP/nft.err" >&2; setup_fail "nft -f"; }
# loading it again replaces it (the rules are not doubled)
in_ns "$R" nft -f "$TMP/mic.nft" || setup_fail "nft -f twice"
[ "$(in_ns "$R" nft list chain inet mamori forward | grep -c 'comment "flow internet>lgwan mail via mail-gw')" -eq 2 ] &&
	ok || not_ok "a second load doubled the rules"

expect_exit 0 "net check: the router's running ruleset is the policy's" -- in_ns "$R" "$MAMORI" net check "$POLICY"

# what mic-standard allows: SRC-SEGMENT DST-HOST PORT (connections go to the gateways)
allowed=" internet:25:25 internet:25:587 lgwan:30-25:25 lgwan:30-25:587 internet:80:443 lgwan:30-89:3389 "
is_allowed() { # src-seg dst-addr port
	local src=$1 dst=$2 port=$3 host
	host=${dst##*[.:]}
	case "$src:$dst" in
		internet:10.20.0.*|internet:fd00:20::*) [[ $allowed == *" internet:$host:$port "* ]] ;;
		lgwan:10.30.0.*|lgwan:fd00:30::*) [[ $allowed == *" lgwan:30-$host:$port "* ]] ;;
		*) return 1 ;;
	esac
}

for fam in 4 6; do
	for src in "${segments[@]}"; do
		: >"$TMP/jobs"
		so=${octet[$src]}
		if [ "$fam" = 4 ]; then saddr="10.$so.0.10"; else saddr="fd00:$so::10"; fi
		for dst in "${segments[@]}"; do
			[ "$dst" = "$src" ] && continue
			do=${octet[$dst]}
			for h in 10 ${extra[$dst]}; do
				if [ "$fam" = 4 ]; then daddr="10.$do.0.$h"; else daddr="fd00:$do::$h"; fi
				for p in "${ports[@]}"; do echo "$saddr $daddr $p" >>"$TMP/jobs"; done
			done
		done
		in_ns "$tag-$src" python3 "$PROBE" probe 1.5 <"$TMP/jobs" >"$TMP/got-$src-$fam"
		[ "$(wc -l <"$TMP/got-$src-$fam")" -eq "$(wc -l <"$TMP/jobs")" ] && ok || not_ok "$src IPv$fam: the probe did not answer every connect"
		while read -r s d p result; do
			if is_allowed "$src" "$d" "$p"; then want=ok; else want=drop; fi
			[ "$result" = "$want" ] && ok || not_ok "IPv$fam $src $s → $d:$p: $result, expected $want"
		done <"$TMP/got-$src-$fam"
	done
done
# the policy's point, said once more on its own: internet mail reaches LGWAN at the gateway only
grep -q "^10.30.0.10 10.20.0.25 25 ok$" "$TMP/got-internet-4" && ok || not_ok "internet mail to the LGWAN gateway"
grep -q "^10.30.0.10 10.20.0.10 25 drop$" "$TMP/got-internet-4" && ok || not_ok "internet mail to an LGWAN host past the gateway"
grep -q "^fd00:30::10 fd00:20::10 25 drop$" "$TMP/got-internet-6" && ok || not_ok "IPv6: internet mail to an LGWAN host past the gateway"

# the counters: the accepts and drops that were hit count, and the drops name pair and clause
in_ns "$R" nft list chain inet mamori forward >"$TMP/chain"
counted() { # PATTERN DESCRIPTION: the rule matching PATTERN counted packets
	if grep -F -- "$1" "$TMP/chain" | grep -qv 'counter packets 0 '; then ok; else
		not_ok "$2: no packets counted"; grep -F -- "$1" "$TMP/chain" | sed 's/^/  | /' >&2
	fi
}
counted 'comment "flow internet>lgwan mail via mail-gw: 基本方針 2(12), 6(3)②"' "the mail accept"
counted 'log prefix "mamori deny internet>lgwan 基本方針 6(3)②: " drop comment "deny internet>lgwan: 基本方針 6(3)②"' "the internet>lgwan drop, with its clause"
counted 'log prefix "mamori deny mynumber>lgwan 基本方針 6(3)①: " drop comment "deny mynumber>lgwan: 基本方針 6(3)①"' "the mynumber>lgwan drop (isolated)"
counted 'ip6 saddr @seg_lgwan_v6 ip6 daddr @seg_internet_v6 counter' "the IPv6 lgwan>internet drop"
finish
