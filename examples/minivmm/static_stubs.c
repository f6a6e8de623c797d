// SPDX-License-Identifier: BSD-2-Clause
/*
 * minivmm-static only. Debian's libpcap.a pulls in libdbus-1.a (its D-Bus
 * capture module), and libdbus-1.a calls two libsystemd functions for
 * socket activation; Debian ships no libsystemd.a. minivmm only writes
 * pcap files (pcap_open_dead/pcap_dump) and never opens a D-Bus
 * connection, so these are never called: they report "no sockets passed".
 */
int sd_listen_fds(int unset_environment);
int sd_is_socket(int fd, int family, int type, int listening);

int sd_listen_fds(int unset_environment)
{
	(void)unset_environment;
	return 0;
}

int sd_is_socket(int fd, int family, int type, int listening)
{
	(void)fd;
	(void)family;
	(void)type;
	(void)listening;
	return 0;
}
