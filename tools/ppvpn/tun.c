// SPDX-License-Identifier: BSD-2-Clause
/* The TUN device: layer-3 packets without a packet-information header. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ppvpn.h"

int ppvpn_tun_open(char *name, int *ifindex)
{
	struct ifreq ifr;
	int fd, s, e;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		goto fail;
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		goto fail;
	if (ioctl(s, SIOCGIFINDEX, &ifr) < 0) {
		e = -errno;
		close(s);
		close(fd);
		return e;
	}
	close(s);
	*ifindex = ifr.ifr_ifindex;
	return fd;
fail:
	e = -errno;
	close(fd);
	return e;
}
