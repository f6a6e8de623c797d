# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
#
# strongSwan (charon 5.9.8 + kernel-libipsec) as the interop peer, sourced
# after netns.sh. Each charon runs in its network namespace and in a
# private mount namespace with /run bound to its role directory (the pid
# file is compiled in as /var/run/charon.pid), its configuration comes from
# STRONGSWAN_CONF, and its vici socket lives in the role directory, so
# swanctl runs from the host with --uri.
#
#   sw_config ROLE [VAR=VALUE...]   role directory + config from conf/*.in
#   sw_start ROLE NS                start charon, swanctl --load-all
#   sw_wait_sa ROLE IKE CHILD SECS  wait for ESTABLISHED + INSTALLED
#   sw_keys ROLE OUTDIR             key log -> Wireshark UAT files
#   sw_stop ROLE
#
# ROLE is "gw" or "cl"; its directory is $IT_BASE/sw-ROLE.

IT_DIR=${IT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
SW_CHARON=${SW_CHARON:-/usr/lib/ipsec/charon}

sw_dir() { echo "$IT_BASE/sw-$1"; }
sw_uri() { echo "unix://$(sw_dir "$1")/run/charon.vici"; }
swc() { local role=$1; shift; swanctl "$@" --uri "$(sw_uri "$role")"; }

# tmpl FILE VAR=VALUE...: print FILE with every @VAR@ replaced (the
# first VAR=VALUE given for a name wins).
tmpl() {
	local file=$1 text kv
	shift
	text=$(<"$file")
	for kv in "$@"; do
		text=${text//@${kv%%=*}@/${kv#*=}}
	done
	if [[ $text =~ @[A-Z_]+@ ]]; then
		fail "template $file: ${BASH_REMATCH[0]} not substituted"
	fi
	printf '%s\n' "$text"
}

# sw_config ROLE [VAR=VALUE...]. Key logging unless SW_KEYLOG=0. Defaults: PSK, AES-GCM-128/X25519, the
# rekey times of strongSwan (4 h / 1 h). REMOTE (cl) = the gateway.
sw_config() {
	local role=$1 d
	shift
	d=$(sw_dir "$role")
	mkdir -p "$d"/{run,log,conf.d} \
		"$d"/swanctl/{x509,x509ca,x509aa,x509ocsp,x509crl,x509ac,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12}
	tmpl "$IT_DIR/conf/strongswan.conf.in" "D=$d" >"$d/strongswan.conf"
	rm -f "$d/conf.d/keylog.conf"
	if [ "${SW_KEYLOG:-1}" = 1 ]; then
		tmpl "$IT_DIR/conf/keylog.conf.in" "D=$d" >"$d/conf.d/keylog.conf"
	fi
	# (the first VAR=VALUE for a @VAR@ wins: the caller's come first)
	tmpl "$IT_DIR/conf/$role.swanctl.conf.in" "$@" \
		AUTH=psk LOCAL_CERT= REMOTE=$GW_OUT4 \
		IKE_PROPOSALS=aes128gcm16-prfsha256-x25519 ESP_PROPOSALS=aes128gcm16 \
		IKE_REKEY=4h CHILD_REKEY=1h >"$d/swanctl/swanctl.conf"
}

# sw_cert_files ROLE ALG NAME: install the CA and NAME's certificate and
# key from pki_make into ROLE's swanctl directories (config: AUTH=pubkey
# LOCAL_CERT="certs = NAME-ALG.pem").
sw_cert_files() {
	local role=$1 alg=$2 name=$3 d
	d=$(sw_dir "$role")
	cp "$IT_BASE/pki/ca-$alg.pem" "$d/swanctl/x509ca/"
	cp "$IT_BASE/pki/$name-$alg.pem" "$d/swanctl/x509/"
	cp "$IT_BASE/pki/$name-$alg.key" "$d/swanctl/private/"
}

# pki_make ALG (ecdsa|rsa): a CA and gateway/client certificates with the
# test identities as subjectAltName, generated at test time.
pki_make() {
	local alg=$1 p=$IT_BASE/pki opt n
	mkdir -p "$p"
	case $alg in
	ecdsa) opt=(--type ecdsa --size 256) ;;
	rsa) opt=(--type rsa --size 2048) ;;
	*) fail "pki_make: unknown $alg" ;;
	esac
	pki --gen "${opt[@]}" --outform pem >"$p/ca-$alg.key" || fail "pki --gen ca"
	pki --self --in "$p/ca-$alg.key" --type "${opt[1]}" --ca --lifetime 30 \
		--dn "C=XX, O=parapass interop, CN=interop CA $alg" --outform pem \
		>"$p/ca-$alg.pem" || fail "pki --self"
	for n in gw client; do
		pki --gen "${opt[@]}" --outform pem >"$p/$n-$alg.key" || fail "pki --gen $n"
		pki --pub --in "$p/$n-$alg.key" --type "${opt[1]}" |
			pki --issue --cacert "$p/ca-$alg.pem" --cakey "$p/ca-$alg.key" \
				--dn "C=XX, O=parapass interop, CN=$n.example.net" \
				--san "$n.example.net" --lifetime 30 --outform pem \
				>"$p/$n-$alg.pem" || fail "pki --issue $n"
	done
}

sw_start() {
	local role=$1 ns=$2 d i
	d=$(sw_dir "$role")
	rm -f "$d/run/charon.pid" "$d/run/charon.vici"
	(nsd "$ns" unshare -m --propagation private sh -c "
		mount --bind '$d/run' /run &&
		exec env STRONGSWAN_CONF='$d/strongswan.conf' '$SW_CHARON'") \
		>"$d/log/charon.stdout" 2>&1 </dev/null &
	eval "SW_PID_$role=$!"
	at_exit "sw_stop $role"
	for i in $(seq 1 100); do
		[ -S "$d/run/charon.vici" ] && break
		kill -0 "$(eval echo "\$SW_PID_$role")" 2>/dev/null ||
			fail "charon ($role) exited: $(tail -5 "$d/log/charon.stdout")"
		sleep 0.1
	done
	[ -S "$d/run/charon.vici" ] || fail "charon ($role): no vici socket after 10 s"
	swc "$role" --load-all --noprompt --file "$d/swanctl/swanctl.conf" \
		>"$d/log/load.log" 2>&1 || fail "swanctl --load-all ($role): $(tail -5 "$d/log/load.log")"
	say "charon $role up in $ns"
}

sw_stop() {
	local role=$1 d pid i
	d=$(sw_dir "$role")
	pid=$(eval echo "\${SW_PID_$role:-}")
	[ -n "$pid" ] || return 0
	if [ -f "$d/run/charon.pid" ]; then
		kill -TERM "$(cat "$d/run/charon.pid")" 2>/dev/null
	fi
	for i in $(seq 1 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$d/run/charon.pid"
	eval "SW_PID_$role="
}

# sw_initiate ROLE IKE CHILD
sw_initiate() {
	local role=$1 ike=$2 child=$3 d
	d=$(sw_dir "$role")
	swc "$role" --initiate --ike "$ike" --child "$child" --timeout 20 \
		>"$d/log/initiate.log" 2>&1 ||
		fail "swanctl --initiate $ike/$child ($role): $(grep -E 'failed|error|received|NO_PROP|AUTH' "$d/log/initiate.log" | tail -5)"
	pass "strongSwan $role initiated $ike/$child"
}

# sw_wait_sa ROLE IKE CHILD SECS: IKE_SA ESTABLISHED with CHILD INSTALLED.
sw_wait_sa() {
	local role=$1 ike=$2 child=$3 secs=$4 i out
	for i in $(seq 1 $((secs * 5))); do
		out=$(swc "$role" --list-sas --ike "$ike" 2>/dev/null)
		if echo "$out" | grep -q "ESTABLISHED" &&
			echo "$out" | grep -Eq "^ +$child: #[0-9]+, reqid [0-9]+, INSTALLED"; then
			return 0
		fi
		sleep 0.2
	done
	fail "strongSwan $role: no ESTABLISHED $ike with INSTALLED $child after ${secs}s: $(echo "$out" | head -4 | tr '\n' ' ')"
}

# sw_vip ROLE FAMILY: the virtual IP the client charon got.
sw_vip() {
	local role=$1 fam=$2
	swc "$role" --list-sas 2>/dev/null |
		sed -n "s/.*@ .*\[\(.*\)\]$/\1/p" | head -1 | tr ' ' '\n' |
		if [ "$fam" = 6 ]; then grep ':'; else grep -v ':'; fi | head -1
}

# sw_keys ROLE OUTDIR: Wireshark key files from ROLE's key log.
sw_keys() {
	local role=$1 out=$2 d
	d=$(sw_dir "$role")
	mkdir -p "$out"
	python3 "$IT_DIR/swkeys.py" "$d/log/keys.log" "$out" 2>"$out/swkeys.err" ||
		fail "swkeys.py ($role): $(cat "$out/swkeys.err")"
}

sw_log_excerpt() {
	local role=$1
	echo "--- charon $role (last lines) ---" >&2
	tail -n 25 "$(sw_dir "$role")/log/charon.log" >&2 2>/dev/null || true
}
