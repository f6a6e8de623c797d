/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libpp_ike: a sans-I/O IKEv2 engine (RFC 7296).
 *
 * The engine owns no socket, thread or timer. The caller feeds it
 *
 *   - datagrams it received (UDP payload + both addresses/ports),
 *   - the time (milliseconds, any monotonic epoch),
 *   - commands (initiate a connection, delete, rekey, ...),
 *
 * and drains from it
 *
 *   - datagrams to send (pp_ike_output),
 *   - SA events: IKE SA up/down, Child SA up (keys, SPIs, selectors,
 *     encapsulation), rekeyed, down with a reason (pp_ike_event),
 *   - the next deadline at which pp_ike_timeout() must be called.
 *
 * One engine holds many IKE SAs (a gateway serving many clients, or a
 * client with one or more connections); every SA comes from a named
 * connection (struct pp_ike_conn) given at creation time.
 *
 * Conventions: control calls return 0 or a negative errno; the engine
 * logs one line per failure naming the SA (its SPIs) and what did not
 * match through params.log_fn. Every datagram that is dropped moves one
 * counter in struct pp_ike_stats. Secrets in events are the caller's to
 * wipe (pp_ike_event_wipe()).
 *
 * Port handling (RFC 7296 §2.23, RFC 3948 §2.2): datagrams exchanged on a
 * port other than 500 carry the 4-byte non-ESP marker. pp_ike_input()
 * takes the UDP payload exactly as received and strips the marker itself
 * when the local port is not 500; an ESP packet (non-zero first four
 * bytes) arriving there is refused with -EPROTONOSUPPORT so that the
 * caller can hand it to libesp. pp_ike_output() datagrams include the
 * marker when it is needed.
 *
 * NAT keepalives (RFC 3948 §2.3): when NAT detection found us behind a
 * NAT, the engine itself emits a one-byte 0xFF datagram on the NAT-T port
 * whenever it sent nothing to the peer for 20 s (the caller sends it like
 * any other pp_ike_output() datagram; it carries no non-ESP marker).
 * Received keepalives are ignored.
 */
#ifndef PARAPASS_PP_IKE_H
#define PARAPASS_PP_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <parapass/pp_common.h>
#include <parapass/pp_esp.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PP_IKE_NAME_MAX 32	 /* connection names incl. NUL */
#define PP_IKE_ID_MAX 256	 /* identity data */
#define PP_IKE_TS_MAX 8		 /* selectors per side of a connection */
#define PP_IKE_DNS_MAX 4
#define PP_IKE_DGRAM_MAX 65535

/* ---------------------------------------------------------------------- */
/* Addresses, identities, selectors                                       */
/* ---------------------------------------------------------------------- */

/* A transport endpoint. family 0 = unset ("any" where allowed). */
struct pp_ike_addr {
	uint8_t family;	   /* 4 or 6 */
	uint8_t bytes[16]; /* network order; IPv4 uses the first 4 */
	uint16_t port;	   /* host order */
};

enum pp_ike_id_type {
	PP_IKE_IDT_NONE = 0,	   /* use the local address (ID_IPV4/6) */
	PP_IKE_IDT_IPV4 = 1,	   /* RFC 7296 §3.5 values */
	PP_IKE_IDT_FQDN = 2,
	PP_IKE_IDT_RFC822 = 3,
	PP_IKE_IDT_IPV6 = 5,
	PP_IKE_IDT_DN = 9,	   /* DER ASN.1 distinguished name */
	PP_IKE_IDT_KEY_ID = 11,
};

struct pp_ike_id {
	enum pp_ike_id_type type;
	uint16_t len;
	uint8_t data[PP_IKE_ID_MAX];
};

/*
 * A traffic selector (RFC 7296 §3.13.1): an address range, an IP protocol
 * (0 = any) and a port range (0-65535 = any).
 */
struct pp_ike_ts {
	uint8_t family; /* 4 or 6 */
	uint8_t proto;
	uint16_t port_lo, port_hi;
	uint8_t start[16], end[16];
};

/* ---------------------------------------------------------------------- */
/* Connection configuration                                               */
/* ---------------------------------------------------------------------- */

enum pp_ike_auth_method {
	PP_IKE_AUTHM_PSK = 1,	/* RFC 7296 §2.15 */
	PP_IKE_AUTHM_PUBKEY,	/* X.509 + Digital Signature, RFC 7427 */
};

/*
 * Credentials are given as PEM (or DER) bytes and copied by
 * pp_ike_create(); the caller may wipe its copies afterwards.
 */
struct pp_ike_auth_cfg {
	enum pp_ike_auth_method method;
	const uint8_t *psk; /* PSK: the shared key, >= 16 bytes */
	size_t psk_len;
	/* PUBKEY, local side: our certificate (PEM/DER) and private key. */
	const uint8_t *cert;
	size_t cert_len;
	const uint8_t *key;
	size_t key_len;
	/* PUBKEY, remote side: trust anchor(s), PEM (may hold several). */
	const uint8_t *ca;
	size_t ca_len;
};

/*
 * A connection. Proposals use strongSwan's syntax ("aes256gcm16-prfsha384-
 * ecp384", "aes128-sha256-modp2048", several separated by commas, or
 * "default"); a Child SA proposal with a key exchange group asks for PFS.
 */
struct pp_ike_conn {
	char name[PP_IKE_NAME_MAX];

	/* Local endpoint (port 0 = 500); remote endpoint: required to
	 * initiate, family 0 = accept any peer as responder. */
	struct pp_ike_addr local, remote;

	const char *ike_proposals;  /* NULL = "default" */
	const char *esp_proposals;  /* NULL = "default" */

	struct pp_ike_id local_id, remote_id; /* remote type NONE = any */
	struct pp_ike_auth_cfg local_auth, remote_auth;

	enum pp_esp_mode mode;
	/* Selectors proposed / accepted. None = the whole family of the
	 * outer address (initiator: our virtual IP if one is requested). */
	struct pp_ike_ts local_ts[PP_IKE_TS_MAX], remote_ts[PP_IKE_TS_MAX];
	unsigned int n_local_ts, n_remote_ts;

	/* Configuration payload (RFC 7296 §3.15). Initiator: what to ask
	 * for. Responder: pools to hand out. */
	bool request_ip4, request_ip6, request_dns;
	uint8_t pool4_start[4];
	uint32_t pool4_size; /* addresses; 0 = no IPv4 pool */
	uint8_t pool6_start[16];
	uint32_t pool6_size;
	uint8_t dns4[PP_IKE_DNS_MAX][4];
	unsigned int n_dns4;
	uint8_t dns6[PP_IKE_DNS_MAX][16];
	unsigned int n_dns6;

	/* Lifetimes, seconds; 0 = the default given. Each SA is rekeyed
	 * at rekey_time minus up to rand_time (jitter), and deleted at
	 * rekey_time + over_time if the rekey did not succeed. */
	uint32_t ike_rekey_s;	/* 14400 */
	uint32_t child_rekey_s; /* 3600 */
	uint32_t over_time_s;	/* 10% of the rekey time */
	uint32_t rand_time_s;	/* 360 (the child's default over_time);
				 * 0 = no jitter (tests) */
	uint64_t child_rekey_bytes, child_rekey_packets; /* 0 = none; for
							  * libesp's soft limit */

	uint32_t dpd_delay_s; /* liveness check after this idle time; 0 off */
	bool force_encap;     /* UDP-encapsulate ESP even without NAT */
	bool fragmentation;   /* RFC 7383: announce and use (default on
			       * through pp_ike_conn_defaults()) */
	uint16_t fragment_size; /* IKE datagram size limit; 0 = 1280 */
	bool initial_contact;	/* send INITIAL_CONTACT on first IKE_AUTH */
	bool esn;		/* offer/accept ESN for Child SAs */
	/* Initiator: after the IKE SA died of a failed liveness check,
	 * retransmission timeout or hard expiry, establish the connection
	 * again (a fresh IKE SA, no state reused). Default on through
	 * pp_ike_conn_defaults(). */
	bool auto_reconnect;
};

/* Fill @c with the defaults documented above (name empty, PSK, tunnel). */
PP_EXPORT void pp_ike_conn_defaults(struct pp_ike_conn *c);

/* ---------------------------------------------------------------------- */
/* Engine                                                                 */
/* ---------------------------------------------------------------------- */

struct pp_ike;

/* Optional key export in Wireshark's UAT formats (off by default). */
enum pp_ike_keylog_kind {
	PP_IKE_KEYLOG_ESP_SA = 1,    /* one esp_sa line (packet-ipsec.c) */
	PP_IKE_KEYLOG_IKEV2 = 2,     /* one ikev2_decryption_table line */
};
typedef void (*pp_ike_keylog_fn)(void *opaque, enum pp_ike_keylog_kind kind,
				 const char *line);

/* Random bytes (SPIs, nonces, IVs, jitter). Returns 0 or -errno. */
typedef int (*pp_ike_rand_fn)(void *opaque, uint8_t *out, size_t len);

struct pp_ike_params {
	const struct pp_ike_conn *conns; /* copied */
	unsigned int n_conns;

	unsigned int max_ike_sas;     /* 0 = 64 */
	/* Half-open IKE SAs at which the responder demands cookies
	 * (§2.6); 0 = 16; UINT32_MAX = never. */
	uint32_t cookie_threshold;
	/* Retransmission: first timeout, factor 1.8 (strongSwan's), tries
	 * before giving up. 0 = 4000 ms / 5 tries. */
	uint32_t retransmit_base_ms;
	uint32_t retransmit_tries;
	uint32_t half_open_timeout_ms; /* responder; 0 = 30000 */

	pp_log_fn log_fn;
	void *log_opaque;
	pp_ike_keylog_fn keylog_fn; /* NULL = no key export */
	void *keylog_opaque;
	pp_ike_rand_fn rand_fn; /* NULL = OpenSSL RAND_bytes */
	void *rand_opaque;
};

PP_EXPORT int pp_ike_create(const struct pp_ike_params *prm,
			    struct pp_ike **out);
/* Wipes every key; sends nothing (call pp_ike_shutdown() first for a
 * clean DELETE). */
PP_EXPORT void pp_ike_destroy(struct pp_ike *ike);

/*
 * Start connection @conn as initiator. *ike_sa_id (optional) receives the
 * handle of the new IKE SA. -ENOENT unknown connection, -EINVAL no remote
 * address, -ENOSPC max_ike_sas reached.
 */
PP_EXPORT int pp_ike_initiate(struct pp_ike *ike, const char *conn,
			      uint64_t now_ms, uint32_t *ike_sa_id);

/*
 * One received datagram. @src is the peer, @dst the local address and
 * port it arrived on. Returns 0 (processed, or dropped and counted),
 * -EPROTONOSUPPORT (an ESP packet on port 4500: not IKE), -EINVAL (NULL
 * arguments; or, counted as PP_IKE_DROP_MALFORMED and never answered,
 * an address family other than 4 or 6, @src and @dst of different
 * families, or source port 0).
 */
PP_EXPORT int pp_ike_input(struct pp_ike *ike, const uint8_t *data,
			   size_t len, const struct pp_ike_addr *src,
			   const struct pp_ike_addr *dst, uint64_t now_ms);

/* Run expired timers (retransmission, rekey, DPD, expiry). */
PP_EXPORT int pp_ike_timeout(struct pp_ike *ike, uint64_t now_ms);
/* When pp_ike_timeout() must next be called; UINT64_MAX = no timer. */
PP_EXPORT uint64_t pp_ike_next_deadline(const struct pp_ike *ike);

/* A datagram to send; data stays valid until the next call into @ike. */
struct pp_ike_dgram {
	const uint8_t *data;
	size_t len;
	struct pp_ike_addr src, dst;
};
/* 1 and fills @out when a datagram is pending, 0 when none. */
PP_EXPORT int pp_ike_output(struct pp_ike *ike, struct pp_ike_dgram *out);

/* Delete an IKE SA and its Child SAs (INFORMATIONAL with DELETE). */
PP_EXPORT int pp_ike_delete(struct pp_ike *ike, uint32_t ike_sa_id,
			    uint64_t now_ms);
/* Delete every IKE SA: for a clean shutdown. */
PP_EXPORT int pp_ike_shutdown(struct pp_ike *ike, uint64_t now_ms);
/* Rekey now (tests, or on libesp's soft-expiry event). */
PP_EXPORT int pp_ike_rekey_ike(struct pp_ike *ike, uint32_t ike_sa_id,
			       uint64_t now_ms);
PP_EXPORT int pp_ike_rekey_child(struct pp_ike *ike, uint32_t child_id,
				 uint64_t now_ms);
/* A liveness check now (empty INFORMATIONAL, §1.4). */
PP_EXPORT int pp_ike_dpd(struct pp_ike *ike, uint32_t ike_sa_id,
			 uint64_t now_ms);
/* Tell the engine that ESP traffic was received on a Child SA, so that
 * DPD does not probe a live peer. */
PP_EXPORT void pp_ike_child_seen(struct pp_ike *ike, uint32_t child_id,
				 uint64_t now_ms);

/* ---------------------------------------------------------------------- */
/* Events                                                                 */
/* ---------------------------------------------------------------------- */

enum pp_ike_event_type {
	PP_IKE_EV_IKE_UP = 1,	 /* IKE SA established (after IKE_AUTH) */
	PP_IKE_EV_IKE_REKEYED,	 /* new IKE SA replaced old_id */
	PP_IKE_EV_IKE_DOWN,	 /* IKE SA gone (reason); its children
				  * went down first */
	PP_IKE_EV_CHILD_UP,	 /* new Child SA: install it */
	PP_IKE_EV_CHILD_REKEYED, /* new Child SA replacing old_id: install
				  * the new one, remove old_id (no
				  * CHILD_DOWN follows for old_id) */
	PP_IKE_EV_CHILD_DOWN,	 /* remove it */
	PP_IKE_EV_VIP,		 /* initiator: addresses from the CP payload */
	PP_IKE_EV_PEER_MOVED,	 /* NAT mapping / port changed (outer
				  * endpoints of the children updated) */
};

enum pp_ike_reason {
	PP_IKE_R_NONE = 0,
	PP_IKE_R_LOCAL_DELETE,	  /* pp_ike_delete / shutdown */
	PP_IKE_R_PEER_DELETE,	  /* DELETE received */
	PP_IKE_R_REKEYED,	  /* superseded by a rekeyed SA */
	PP_IKE_R_TIMEOUT,	  /* retransmissions exhausted */
	PP_IKE_R_DPD,		  /* liveness check failed */
	PP_IKE_R_EXPIRED,	  /* hard lifetime without a rekey */
	PP_IKE_R_NO_PROPOSAL,	  /* NO_PROPOSAL_CHOSEN (either side) */
	PP_IKE_R_INVALID_KE,	  /* INVALID_KE_PAYLOAD retries exhausted */
	PP_IKE_R_AUTH_FAILED,	  /* AUTHENTICATION_FAILED (either side) */
	PP_IKE_R_CERT,		  /* certificate invalid/untrusted/ID */
	PP_IKE_R_TS_UNACCEPTABLE,
	PP_IKE_R_NO_ADDRESS,	  /* CP: pool empty / nothing assigned */
	PP_IKE_R_PEER_ERROR,	  /* another error notify from the peer */
	PP_IKE_R_PROTOCOL,	  /* malformed or unexpected exchange */
	PP_IKE_R_REPLACED,	  /* INITIAL_CONTACT from the same peer */
	PP_IKE_R_INTERNAL,	  /* allocation / crypto library failure */
	PP_IKE_R__COUNT
};

PP_EXPORT const char *pp_ike_reason_name(enum pp_ike_reason r);

/* A Child SA pair as negotiated. "in" = peer -> us. */
struct pp_ike_child {
	uint32_t child_id;
	uint32_t old_child_id; /* CHILD_REKEYED: the one replaced */
	uint32_t spi_in, spi_out; /* host order */
	enum pp_esp_mode mode;
	enum pp_esp_cipher cipher;
	enum pp_esp_integ integ;
	uint8_t key_in[PP_ESP_KEY_MAX], key_out[PP_ESP_KEY_MAX];
	uint8_t integ_in[PP_ESP_KEY_MAX], integ_out[PP_ESP_KEY_MAX];
	uint8_t key_len, integ_len; /* key_len includes an AEAD salt */
	bool esn;
	bool udp_encap;		    /* ESP in UDP (RFC 3948) */
	uint16_t dh_group;	    /* PFS group used, 0 = none */
	struct pp_ike_addr local, remote; /* outer endpoints (ports used
					   * with udp_encap) */
	struct pp_ike_ts local_ts[PP_IKE_TS_MAX], remote_ts[PP_IKE_TS_MAX];
	unsigned int n_local_ts, n_remote_ts;
	/* Soft/hard volume limits for libesp (0 = none); the engine
	 * rekeys on time itself. */
	uint64_t soft_bytes, hard_bytes, soft_packets, hard_packets;
};

struct pp_ike_vip {
	bool has_ip4, has_ip6;
	uint8_t ip4[4];
	uint8_t ip6[16];
	uint8_t ip6_plen;
	uint8_t dns4[PP_IKE_DNS_MAX][4];
	unsigned int n_dns4;
	uint8_t dns6[PP_IKE_DNS_MAX][16];
	unsigned int n_dns6;
};

struct pp_ike_event {
	enum pp_ike_event_type type;
	enum pp_ike_reason reason; /* *_DOWN */
	uint32_t ike_sa_id;
	uint32_t old_ike_sa_id;	   /* IKE_REKEYED */
	uint64_t spi_i, spi_r;	   /* the IKE SA's SPIs */
	char conn[PP_IKE_NAME_MAX];
	struct pp_ike_addr local, remote; /* IKE endpoints now */
	struct pp_ike_id peer_id;	  /* IKE_UP: authenticated peer */
	struct pp_ike_child child;	  /* CHILD_* */
	struct pp_ike_vip vip;		  /* VIP; IKE_UP on a responder:
					   * what was assigned */
};

/* 1 and fills @ev when an event is pending (oldest first), else 0. */
PP_EXPORT int pp_ike_event(struct pp_ike *ike, struct pp_ike_event *ev);
/* Wipe the keys an event carries. */
PP_EXPORT void pp_ike_event_wipe(struct pp_ike_event *ev);

/*
 * Convenience: libesp parameters for one direction of @c (pointers into
 * @c; the caller sets event/log callbacks and 'now'). Tunnel outer
 * addresses come from c->local/remote; with udp_encap the SA is flagged
 * PP_ESP_SA_F_UDP_ENCAP and given the ports. Inbound selectors are not
 * set (IKE ranges are not prefixes: see pp_ike_ts_to_prefixes()).
 */
PP_EXPORT int pp_ike_child_esp_params(const struct pp_ike_child *c,
				      enum pp_esp_dir dir,
				      struct pp_esp_sa_params *out);

/*
 * Split a selector's address range into at most @cap CIDR prefixes
 * (libesp selectors); returns how many, or -ENOSPC. Each result covers
 * one side only: @ts becomes the source side (address, sport range) when
 * @local_is_src, else the destination side; the other side is "any". For
 * an inbound SA use remote_ts with true and local_ts with false. OPAQUE
 * ports become 0-65535 (libesp cannot express them).
 */
PP_EXPORT int pp_ike_ts_to_prefixes(const struct pp_ike_ts *ts,
				    bool local_is_src,
				    struct pp_esp_selector *out,
				    unsigned int cap);

/* ---------------------------------------------------------------------- */
/* Counters                                                               */
/* ---------------------------------------------------------------------- */

enum pp_ike_drop {
	PP_IKE_DROP_MALFORMED = 0, /* codec rejected it */
	PP_IKE_DROP_NO_SA,	   /* unknown SPIs */
	PP_IKE_DROP_MSG_ID,	   /* outside the window */
	PP_IKE_DROP_ICV,	   /* SK integrity failed */
	PP_IKE_DROP_STATE,	   /* not expected in this state */
	PP_IKE_DROP_COOKIE,	   /* missing or wrong cookie */
	PP_IKE_DROP_FRAG,	   /* fragment rejected */
	PP_IKE_DROP_LIMIT,	   /* too many SAs / half-open */
	PP_IKE_DROP__COUNT
};

struct pp_ike_stats {
	uint64_t rx, tx, retransmits, dup_requests;
	uint64_t ike_up, ike_down, child_up, child_down, rekeys;
	uint64_t cookies_sent, invalid_ke_sent;
	uint64_t fail[PP_IKE_R__COUNT];
	uint64_t drops[PP_IKE_DROP__COUNT];
};

PP_EXPORT void pp_ike_get_stats(const struct pp_ike *ike,
				struct pp_ike_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* PARAPASS_PP_IKE_H */
