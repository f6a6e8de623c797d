// SPDX-License-Identifier: BSD-2-Clause
/*
 * minivmm — an example KVM + VFIO hypervisor for libparapass.
 *
 * Boots an unmodified Linux bzImage (64-bit boot protocol) with an
 * initramfs on KVM: in-kernel IRQ chip and PIT, a 16550A on ttyS0
 * (stdout/stdin), MP tables, PCI configuration mechanism #1 and, with
 * --vfio, a real PCI NIC handed to the guest by para-passthrough: VFIO
 * owns the device, the guest's register accesses are trapped and go
 * through libparapass (nic.c). README.md has the command line and what it
 * prints; docs/minivmm.md how the embedding works.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "args.h"
#include "boot.h"
#include "mptable.h"
#include "nic.h"
#include "prereq.h"
#include "vm.h"

#define MV_VERSION  "0.1.0"
#define MV_FILE_MAX (1024ull * 1024 * 1024) /* kernel / initrd: 1 GiB */

static struct termios saved_tio;
static bool tio_saved;

static void restore_tty(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
}

/* Terminal input goes to the guest byte by byte, without local echo;
 * ISIG stays on so that ^C still stops minivmm. */
static void setup_tty(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio) != 0)
		return;
	tio_saved = true;
	atexit(restore_tty);
	t = saved_tio;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_iflag &= ~(tcflag_t)ICRNL;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

static int read_file(const char *path, uint8_t **buf, size_t *len, char *err,
		     size_t errlen)
{
	struct stat st;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*buf = NULL;
	*len = 0;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size > MV_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than 1 GiB", path);
		close(fd);
		return -1;
	}
	*buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	if (*buf == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, *buf + got, (size_t)st.st_size - got);

		if (n <= 0) {
			snprintf(err, errlen, "reading %s: %s", path,
				 n == 0 ? "short file" : strerror(errno));
			close(fd);
			free(*buf);
			*buf = NULL;
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return 0;
}

/* Kernel, initrd, command line, MP table into guest RAM; vCPU state. */
static int load_guest(struct mv_vm *vm, const struct mv_args *a, char *err,
		      size_t errlen)
{
	uint8_t *kimg = NULL, *initrd = NULL;
	size_t klen, ilen = 0, mlen;
	struct mv_kernel k;
	struct mv_boot_entry entry;
	struct mv_mp_params mp;
	uint8_t *mpt;
	char why[256];
	int r = -1;

	if (read_file(a->kernel, &kimg, &klen, err, errlen) != 0)
		goto out;
	if (a->initrd != NULL &&
	    read_file(a->initrd, &initrd, &ilen, err, errlen) != 0)
		goto out;
	if (mv_bzimage_parse(kimg, klen, &k, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "--kernel %s: %s", a->kernel, why);
		goto out;
	}
	if (mv_boot_load(&vm->mem, &k, a->cmdline, initrd, ilen, &entry, err,
			 errlen) != 0)
		goto out;

	memset(&mp, 0, sizeof(mp));
	mp.ncpus = vm->ncpus;
	mp.cpu_signature = vm->cpu_signature;
	mp.cpu_features = vm->cpu_features;
	mp.ioapic_id = vm->ioapic_id;
	mp.nic = vm->nic != NULL;
	mp.nic_slot = MV_PCI_NIC_SLOT;
	mp.nic_pin = MV_NIC_GSI;
	mlen = mv_mptable_size(mp.ncpus);
	mpt = mv_mem_ptr(&vm->mem, MV_MPTABLE, mlen);
	if (mpt == NULL ||
	    mv_mptable_build(mpt, mlen, (uint32_t)MV_MPTABLE, &mp) == 0) {
		snprintf(err, errlen, "cannot build the MP table");
		goto out;
	}
	if (mv_vm_setup_vcpus(vm, &entry, err, errlen) != 0)
		goto out;
	if (vm->verbose)
		fprintf(stderr,
			"minivmm: kernel %zu bytes (protocol %u.%02u) at "
			"0x%llx, initrd %zu bytes at 0x%llx, %u vCPU(s), %u "
			"MiB\n",
			k.pm_len, k.version >> 8, k.version & 0xff,
			(unsigned long long)MV_KERNEL, ilen,
			(unsigned long long)entry.initrd_addr, vm->ncpus,
			a->mem_mib);
	r = 0;
out:
	free(kimg);
	free(initrd);
	return r;
}

/* The main thread: NIC interrupt and timer, signals, stdin, stop. */
static void event_loop(struct mv_vm *vm, int sfd, bool use_stdin)
{
	enum { P_STOP, P_SIG, P_WAKE, P_INTX, P_TIMER, P_STDIN, P_N };
	struct pollfd p[P_N];
	uint8_t buf[MV_UART_FIFO];

	while (atomic_load(&vm->stop) == MV_STOP_NONE) {
		unsigned int space = use_stdin ? mv_vm_uart_space(vm) : 0;
		int i;

		for (i = 0; i < P_N; i++) {
			p[i].fd = -1;
			p[i].events = POLLIN;
			p[i].revents = 0;
		}
		p[P_STOP].fd = vm->stop_fd;
		p[P_SIG].fd = sfd;
		p[P_WAKE].fd = vm->uart_wake_fd;
		if (vm->nic != NULL) {
			p[P_INTX].fd = mv_nic_intx_fd(vm->nic);
			p[P_TIMER].fd = mv_nic_timer_fd(vm->nic);
		}
		if (use_stdin && space > 0)
			p[P_STDIN].fd = STDIN_FILENO;
		if (poll(p, P_N, -1) < 0) {
			if (errno == EINTR)
				continue;
			mv_vm_request_stop(vm, MV_STOP_ERROR, "poll: %s",
					   strerror(errno));
			break;
		}
		if (p[P_SIG].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				vm->stop_signal = (int)si.ssi_signo;
				mv_vm_request_stop(
					vm, MV_STOP_SIGNAL, "stopped by %s",
					strsignal((int)si.ssi_signo));
			}
		}
		if (p[P_INTX].revents & POLLIN)
			mv_nic_on_intx(vm->nic);
		if (p[P_TIMER].revents & POLLIN)
			mv_nic_on_timer(vm->nic);
		if (p[P_WAKE].revents & POLLIN) {
			uint64_t cnt;

			if (read(vm->uart_wake_fd, &cnt, sizeof(cnt)) < 0) {
				/* EAGAIN: someone else drained it */
			}
		}
		if (p[P_STDIN].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(STDIN_FILENO, buf, space);

			if (n > 0)
				mv_vm_uart_input(vm, buf, (size_t)n);
			else if (n == 0 || (errno != EINTR && errno != EAGAIN))
				use_stdin = false; /* EOF: no more input */
		}
	}
}

int main(int argc, char **argv)
{
	struct mv_problems probs;
	struct mv_args a;
	struct mv_vm vm;
	char err[1024];
	sigset_t sigs;
	int sfd, status;
	unsigned int i;

	if (mv_args_parse(argc, argv, &a, err, sizeof(err)) != 0) {
		fprintf(stderr,
			"minivmm: %s\n"
			"Try 'minivmm --help'.\n",
			err);
		return MV_EXIT_USAGE;
	}
	if (a.help) {
		mv_usage();
		return 0;
	}
	if (a.version) {
		printf("minivmm %s\n", MV_VERSION);
		return 0;
	}

	mv_prereq_check(&a, &probs);
	if (probs.n > 0) {
		fprintf(stderr, "minivmm: cannot start (%u problem%s):\n",
			probs.n, probs.n > 1 ? "s" : "");
		for (i = 0; i < probs.n; i++)
			fprintf(stderr, "minivmm: - %s\n", probs.msg[i]);
		return MV_EXIT_ERROR;
	}

	/* Signals: SIGINT/SIGTERM through a signalfd in the main thread;
	 * blocked before any thread exists so every thread inherits it. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	sigdelset(&sigs, SIGUSR1);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);

	if (mv_vm_init(&vm, &a) != 0 || sfd < 0) {
		fprintf(stderr, "minivmm: eventfd/signalfd: %s\n",
			strerror(errno));
		return MV_EXIT_ERROR;
	}
	vm.verbose = a.verbose;
	if (mv_vm_create(&vm, &a, err, sizeof(err)) != 0)
		goto fail;
	if (a.vfio[0] != '\0' &&
	    mv_nic_create(&vm, &a, &vm.nic, err, sizeof(err)) != 0)
		goto fail;
	if (load_guest(&vm, &a, err, sizeof(err)) != 0)
		goto fail;

	if (a.stdin_input)
		setup_tty();
	if (mv_vm_start(&vm, err, sizeof(err)) != 0) {
		mv_vm_stop_vcpus(&vm);
		goto fail;
	}
	event_loop(&vm, sfd, a.stdin_input);
	mv_vm_stop_vcpus(&vm);
	restore_tty();

	if (vm.nic != NULL) {
		mv_nic_print_stats(vm.nic);
		mv_nic_destroy(vm.nic);
		vm.nic = NULL;
	}
	if (!vm.out_at_bol)
		putchar('\n');
	switch (atomic_load(&vm.stop)) {
	case MV_STOP_REBOOT:
		fprintf(stderr, "minivmm: %s\n", vm.stop_msg);
		printf("minivmm: guest exited (reboot)\n");
		status = MV_EXIT_GUEST;
		break;
	case MV_STOP_POWEROFF:
		printf("minivmm: guest exited (poweroff)\n");
		status = MV_EXIT_GUEST;
		break;
	case MV_STOP_SIGNAL:
		printf("minivmm: %s\n", vm.stop_msg);
		status = 128 + (vm.stop_signal > 0 ? vm.stop_signal : SIGTERM);
		break;
	default:
		printf("minivmm: guest failed\n");
		fprintf(stderr, "minivmm: error: %s\n", vm.stop_msg);
		status = MV_EXIT_ERROR;
		break;
	}
	fflush(stdout);
	mv_vm_destroy(&vm);
	close(sfd);
	return status;

fail:
	fprintf(stderr, "minivmm: error: %s\n", err);
	if (vm.nic != NULL)
		mv_nic_destroy(vm.nic);
	mv_vm_destroy(&vm);
	close(sfd);
	return MV_EXIT_ERROR;
}
