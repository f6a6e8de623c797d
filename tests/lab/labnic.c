// SPDX-License-Identifier: BSD-2-Clause
/*
 * labnic: prints what a Linux guest sees of its network interface, one
 * "key=value" line each, so that the system lab can compare the view of L1's
 * own e100 driver (baseline) with the view of L2's e100 driver through
 * minivmm (para-passthrough).
 *
 *   labnic IFNAME
 *
 * Lines (all prefixed "NIC "):
 *   mac=        the interface address (SIOCGIFHWADDR)
 *   driver=     ETHTOOL_GDRVINFO driver name, bus address
 *   link=       ETHTOOL_GLINK
 *   speed= duplex= autoneg= port=   ETHTOOL_GSET
 *   eeprom_mac= MAC words 0..2 of the EEPROM (ETHTOOL_GEEPROM)
 *   eeprom=     all EEPROM bytes, hex
 *   mii_phy=    PHY address (SIOCGMIIPHY)
 *   mii.NN=     PHY registers 0..31 (SIOCGMIIREG), hex
 *   regs=       ETHTOOL_GREGS dump, hex (informational)
 *
 * Built statically by build-images.sh so it runs in the busybox initramfs
 * of L1 and L2 alike. Exits 0 even when a query fails: the failure is
 * printed as "key=ERR:<errno text>" and the comparison reports it.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/mii.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int sock = -1;
static char ifname[IFNAMSIZ];

static int ethtool_ioctl(void *cmd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name));
	ifr.ifr_data = cmd;
	return ioctl(sock, SIOCETHTOOL, &ifr);
}

static void print_hex(const char *key, const uint8_t *p, size_t n)
{
	printf("NIC %s=", key);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct ifreq ifr;
	struct ethtool_drvinfo di;
	uint32_t eedump_len = 0, regdump_len = 0;

	if (argc != 2 || strlen(argv[1]) >= IFNAMSIZ) {
		fprintf(stderr, "usage: labnic IFNAME\n");
		return 2;
	}
	snprintf(ifname, sizeof(ifname), "%s", argv[1]);
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock < 0) {
		perror("socket");
		return 1;
	}

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name));
	if (ioctl(sock, SIOCGIFHWADDR, &ifr) == 0) {
		const uint8_t *m = (const uint8_t *)ifr.ifr_hwaddr.sa_data;
		printf("NIC mac=%02x:%02x:%02x:%02x:%02x:%02x\n", m[0], m[1],
		       m[2], m[3], m[4], m[5]);
	} else {
		printf("NIC mac=ERR:%s\n", strerror(errno));
	}

	memset(&di, 0, sizeof(di));
	di.cmd = ETHTOOL_GDRVINFO;
	if (ethtool_ioctl(&di) == 0) {
		printf("NIC driver=%s bus=%s\n", di.driver, di.bus_info);
		eedump_len = di.eedump_len;
		regdump_len = di.regdump_len;
	} else {
		printf("NIC driver=ERR:%s\n", strerror(errno));
	}

	struct ethtool_value lv = { .cmd = ETHTOOL_GLINK };
	if (ethtool_ioctl(&lv) == 0)
		printf("NIC link=%s\n", lv.data ? "yes" : "no");
	else
		printf("NIC link=ERR:%s\n", strerror(errno));

	struct ethtool_cmd ec;
	memset(&ec, 0, sizeof(ec));
	ec.cmd = ETHTOOL_GSET;
	if (ethtool_ioctl(&ec) == 0) {
		uint32_t speed = ethtool_cmd_speed(&ec);
		printf("NIC speed=%u\n", speed);
		printf("NIC duplex=%s\n", ec.duplex == DUPLEX_FULL ? "full" :
		       ec.duplex == DUPLEX_HALF ? "half" : "unknown");
		printf("NIC autoneg=%s\n", ec.autoneg ? "on" : "off");
		printf("NIC port=%u phyad=%u supported=0x%x advertising=0x%x\n",
		       ec.port, ec.phy_address, ec.supported, ec.advertising);
	} else {
		printf("NIC speed=ERR:%s\n", strerror(errno));
	}

	if (eedump_len > 0 && eedump_len <= 4096) {
		struct ethtool_eeprom *ee = calloc(1, sizeof(*ee) + eedump_len);
		if (ee) {
			ee->cmd = ETHTOOL_GEEPROM;
			ee->offset = 0;
			ee->len = eedump_len;
			if (ethtool_ioctl(ee) == 0) {
				if (ee->len >= 6)
					printf("NIC eeprom_mac=%02x:%02x:%02x:%02x:%02x:%02x\n",
					       ee->data[0], ee->data[1], ee->data[2],
					       ee->data[3], ee->data[4], ee->data[5]);
				print_hex("eeprom", ee->data, ee->len);
			} else {
				printf("NIC eeprom=ERR:%s\n", strerror(errno));
			}
			free(ee);
		}
	}

	struct mii_ioctl_data *mii = (struct mii_ioctl_data *)&ifr.ifr_data;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name));
	if (ioctl(sock, SIOCGMIIPHY, &ifr) == 0) {
		uint16_t phy = mii->phy_id;
		printf("NIC mii_phy=%u\n", phy);
		for (unsigned reg = 0; reg < 32; reg++) {
			memset(&ifr, 0, sizeof(ifr));
			memcpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name));
			mii->phy_id = phy;
			mii->reg_num = (uint16_t)reg;
			if (ioctl(sock, SIOCGMIIREG, &ifr) == 0)
				printf("NIC mii.%02u=%04x\n", reg, mii->val_out);
			else
				printf("NIC mii.%02u=ERR:%s\n", reg, strerror(errno));
		}
	} else {
		printf("NIC mii_phy=ERR:%s\n", strerror(errno));
	}

	if (regdump_len > 0 && regdump_len <= 65536) {
		struct ethtool_regs *rg = calloc(1, sizeof(*rg) + regdump_len);
		if (rg) {
			rg->cmd = ETHTOOL_GREGS;
			rg->len = regdump_len;
			if (ethtool_ioctl(rg) == 0) {
				printf("NIC regs_version=0x%x\n", rg->version);
				print_hex("regs", rg->data, rg->len);
			} else {
				printf("NIC regs=ERR:%s\n", strerror(errno));
			}
			free(rg);
		}
	}
	close(sock);
	return 0;
}
