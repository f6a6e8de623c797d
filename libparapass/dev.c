// SPDX-License-Identifier: BSD-2-Clause
/*
 * The device object: parameter validation, backend selection, attach and
 * detach, the entry points, timer merging, statistics and logging.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pp_internal.h"

/* ---------------------------------------------------------------------- */
/* Logging: level filter, rate limit, device-name prefix                  */
/* ---------------------------------------------------------------------- */

static void log_emit(struct pp_dev *dev, enum pp_log_level level,
		     const char *msg)
{
	if (dev->plat->log != NULL)
		dev->plat->log(dev->plat_opaque, level, msg);
	if (dev->tr != NULL) {
		struct pp_sbuf *e = pp_tr_begin(dev->tr, PP_TK_LOG);

		pp_tev_u(e, "level", (unsigned int)level);
		pp_tev_str(e, "msg", msg);
		pp_tr_end(dev->tr, PP_TK_LOG);
	}
}

/*
 * Token bucket on the last time the core learned from the platform (so
 * logging never calls the platform clock itself and replays identically).
 */
static bool log_allowed(struct pp_dev *dev)
{
	uint64_t now = dev->last_now;

	if (now >= dev->log_refill_ns &&
	    now - dev->log_refill_ns >= PP_LOG_INTERVAL_NS) {
		uint64_t n = (now - dev->log_refill_ns) / PP_LOG_INTERVAL_NS;
		uint64_t t = dev->log_tokens + n;

		if (t >= PP_LOG_BURST) {
			dev->log_tokens = PP_LOG_BURST;
			dev->log_refill_ns = now;
		} else {
			dev->log_tokens = (uint32_t)t;
			dev->log_refill_ns += n * PP_LOG_INTERVAL_NS;
		}
	}
	if (dev->log_tokens == 0)
		return false;
	dev->log_tokens--;
	return true;
}

static void vlog(struct pp_dev *dev, enum pp_log_level level, const char *fmt,
		 va_list ap) __attribute__((format(printf, 3, 0)));

static void vlog(struct pp_dev *dev, enum pp_log_level level, const char *fmt,
		 va_list ap)
{
	char msg[PP_LOG_MSG_MAX];
	int n;

	if (level > dev->log_level)
		return;
	if (!log_allowed(dev)) {
		dev->log_suppressed++;
		return;
	}
	if (dev->log_suppressed != 0) {
		snprintf(msg, sizeof(msg), "%s: %u log messages suppressed",
			 dev->name, dev->log_suppressed);
		dev->log_suppressed = 0;
		log_emit(dev, PP_LOG_WARNING, msg);
	}
	n = snprintf(msg, sizeof(msg), "%s: ", dev->name);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	log_emit(dev, level, msg);
}

void pp_log(struct pp_dev *dev, enum pp_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(dev, level, fmt, ap);
	va_end(ap);
}

PP_EXPORT void pp_nic_log(struct pp_dev *dev, enum pp_log_level level,
			  const char *fmt, ...)
{
	va_list ap;

	if (dev == NULL || fmt == NULL)
		return;
	va_start(ap, fmt);
	vlog(dev, level, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------------- */
/* Timer merging                                                          */
/* ---------------------------------------------------------------------- */

/* One platform timer for two deadlines: program the earlier one. */
void pp_timer_program(struct pp_dev *dev)
{
	uint64_t a = dev->nic_deadline, b = dev->filter_deadline, m;

	if (a == 0)
		m = b;
	else if (b == 0)
		m = a;
	else
		m = a < b ? a : b;
	if (m == dev->armed)
		return;
	dev->armed = m;
	pp_plat_timer_set(dev, m);
}

/* ---------------------------------------------------------------------- */
/* Create / destroy                                                       */
/* ---------------------------------------------------------------------- */

void pp_filter_label(const struct pp_filter_ops *f, const void *arg, char *out,
		     size_t n)
{
	if (f == NULL)
		f = &pp_filter_pass;
	if (f == &pp_filter_capture)
		snprintf(out, n, "capture/%s", pp_capture_inner_name(arg));
	else
		snprintf(out, n, "%s", f->name);
}

static bool plat_ok(const struct pp_platform_ops *p)
{
	return p != NULL && p->guest_read != NULL && p->guest_write != NULL &&
	       p->dev_read != NULL && p->dev_write != NULL &&
	       p->pci_read != NULL && p->pci_write != NULL &&
	       p->dma_alloc != NULL && p->dma_free != NULL &&
	       p->irq_set != NULL && p->now_ns != NULL && p->timer_set != NULL;
}

static bool nic_ok(const struct pp_nic_ops *n)
{
	return n->name != NULL && n->name[0] != '\0' && n->access != NULL &&
	       n->wire_tx != NULL && n->guest_rx != NULL &&
	       (n->trap_bars & ~0x3fu) == 0;
}

static bool filter_ok(const struct pp_filter_ops *f)
{
	return f->name != NULL && f->name[0] != '\0' && f->frames != NULL;
}

static int params_check(const struct pp_dev_params *prm)
{
	size_t nl;

	if (prm->name == NULL)
		return -EINVAL;
	nl = strlen(prm->name);
	if (nl == 0 || nl >= PP_NAME_MAX)
		return -EINVAL;
	if (!plat_ok(prm->plat))
		return -EINVAL;
	if (prm->nic != NULL && !nic_ok(prm->nic))
		return -EINVAL;
	if (prm->filter != NULL && !filter_ok(prm->filter))
		return -EINVAL;
	if (prm->n_pkts > PP_N_PKTS_MAX || prm->queue_len > PP_QUEUE_LEN_MAX)
		return -EINVAL;
	if (prm->log_level != 0 &&
	    (prm->log_level < PP_LOG_ERR || prm->log_level > PP_LOG_DEBUG))
		return -EINVAL;
	return 0;
}

static void record_return(struct pp_dev *dev, int ret, bool has_val,
			  uint32_t val)
{
	struct pp_sbuf *e;

	if (dev->tr == NULL)
		return;
	e = pp_tr_begin(dev->tr, PP_TK_RETURN);
	pp_tev_i(e, "ret", ret);
	if (has_val)
		pp_tev_x(e, "val", val);
	pp_tr_end(dev->tr, PP_TK_RETURN);
}

static void record_create(struct pp_dev *dev, const struct pp_dev_params *prm)
{
	char label[96];
	struct pp_sbuf *e;

	if (dev->tr == NULL)
		return;
	pp_filter_label(prm->filter, prm->filter_opaque, label, sizeof(label));
	e = pp_tr_begin(dev->tr, PP_TK_CREATE);
	pp_tev_str(e, "name", dev->name);
	pp_tev_x(e, "vendor", dev->pci.vendor);
	pp_tev_x(e, "device", dev->pci.device);
	pp_tev_x(e, "subsys_vendor", dev->pci.subsys_vendor);
	pp_tev_x(e, "subsys_device", dev->pci.subsys_device);
	pp_tev_x(e, "revision", dev->pci.revision);
	pp_tev_str(e, "backend", dev->nic->name);
	pp_tev_str(e, "filter", label);
	pp_tev_u(e, "n_pkts", dev->n_pkts);
	pp_tev_u(e, "queue_len", dev->in[0].cap);
	pp_tev_u(e, "log_level", (unsigned int)dev->log_level);
	pp_tr_end(dev->tr, PP_TK_CREATE);
}

static void dev_free(struct pp_dev *dev)
{
	if (dev->tr != NULL && dev->tr->dev == dev)
		dev->tr->dev = NULL;
	pp_frame_fini(dev);
	free(dev->priv);
	free(dev);
}

PP_EXPORT int pp_dev_create(const struct pp_dev_params *prm,
			    struct pp_dev **out)
{
	const struct pp_nic_ops *nic;
	struct pp_dev *dev;
	int ret;

	if (out != NULL)
		*out = NULL;
	if (prm == NULL || out == NULL)
		return -EINVAL;
	ret = params_check(prm);
	if (ret != 0)
		return ret;
	nic = prm->nic != NULL ? prm->nic : pp_nic_select(&prm->pci);
	if (nic == NULL)
		return -ENODEV;
	if (prm->nic != NULL && nic->probe != NULL && !nic->probe(&prm->pci))
		return -ENODEV;
	/* A trace records one device at a time (no locking in the SDK). */
	if (prm->trace != NULL && prm->trace->dev != NULL)
		return -EBUSY;

	dev = calloc(1, sizeof(*dev));
	if (dev == NULL)
		return -ENOMEM;
	snprintf(dev->name, sizeof(dev->name), "%s", prm->name);
	dev->pci = prm->pci;
	dev->plat = prm->plat;
	dev->plat_opaque = prm->plat_opaque;
	dev->nic = nic;
	dev->filter = prm->filter != NULL ? prm->filter : &pp_filter_pass;
	dev->log_level = prm->log_level != 0 ? prm->log_level : PP_LOG_INFO;
	dev->log_tokens = PP_LOG_BURST;
	dev->priv = calloc(1, nic->priv_size != 0 ? nic->priv_size : 1);
	if (dev->priv == NULL) {
		free(dev);
		return -ENOMEM;
	}
	ret = pp_frame_init(
		dev, prm->n_pkts != 0 ? prm->n_pkts : PP_N_PKTS_DEFAULT,
		prm->queue_len != 0 ? prm->queue_len : PP_QUEUE_LEN_DEFAULT);
	if (ret != 0) {
		dev_free(dev);
		return ret;
	}
	if (prm->trace != NULL) {
		dev->tr = prm->trace;
		dev->tr->dev = dev;
	}

	dev->depth++;
	record_create(dev, prm);
	if (dev->filter->attach != NULL)
		ret = dev->filter->attach(dev, prm->filter_opaque,
					  &dev->filter_state);
	if (ret == 0) {
		dev->filter_attached = true;
		if (nic->attach != NULL)
			ret = nic->attach(dev, dev->priv);
	} else {
		pp_log(dev, PP_LOG_ERR, "filter %s: attach failed (%d)",
		       dev->filter->name, ret);
	}
	if (ret == 0) {
		dev->nic_attached = true;
		/* The filter's first deadline. */
		if (dev->filter->timer != NULL)
			dev->filter_deadline = dev->filter->timer(
				dev->filter_state, pp_plat_now(dev));
		pp_frame_run(dev);
		pp_timer_program(dev);
	} else if (dev->filter_attached) {
		pp_log(dev, PP_LOG_ERR, "backend %s: attach failed (%d)",
		       nic->name, ret);
		if (dev->filter->detach != NULL)
			dev->filter->detach(dev->filter_state);
		dev->filter_attached = false;
		if (dev->armed != 0) {
			dev->armed = 0;
			pp_plat_timer_set(dev, 0);
		}
	}
	if (ret > 0)
		ret = -EIO;
	record_return(dev, ret, false, 0);
	dev->depth--;
	if (ret != 0) {
		dev_free(dev);
		return ret;
	}
	pp_log(dev, PP_LOG_INFO, "attached backend %s, filter %s", nic->name,
	       dev->filter->name);
	*out = dev;
	return 0;
}

PP_EXPORT void pp_dev_destroy(struct pp_dev *dev)
{
	if (dev == NULL)
		return;
	if (dev->depth != 0) {
		pp_log(dev, PP_LOG_ERR,
		       "pp_dev_destroy() from inside a callback: ignored");
		return;
	}
	dev->depth++;
	if (dev->tr != NULL) {
		pp_tr_begin(dev->tr, PP_TK_DESTROY);
		pp_tr_end(dev->tr, PP_TK_DESTROY);
	}
	if (dev->nic_attached && dev->nic->detach != NULL)
		dev->nic->detach(dev, dev->priv);
	dev->nic_attached = false;
	if (dev->filter_attached && dev->filter->detach != NULL)
		dev->filter->detach(dev->filter_state);
	dev->filter_attached = false;
	if (dev->armed != 0) {
		dev->armed = 0;
		pp_plat_timer_set(dev, 0);
	}
	if (dev->dma_live != 0)
		pp_log(dev, PP_LOG_WARNING,
		       "backend %s left %u DMA buffers allocated",
		       dev->nic->name, dev->dma_live);
	record_return(dev, 0, false, 0);
	dev->depth--;
	dev_free(dev);
}

/* ---------------------------------------------------------------------- */
/* Entry points                                                           */
/* ---------------------------------------------------------------------- */

static bool enter(struct pp_dev *dev, const char *what)
{
	if (dev->depth != 0) {
		pp_log(dev, PP_LOG_ERR,
		       "%s() called from inside a callback: ignored", what);
		return false;
	}
	dev->depth++;
	return true;
}

/* Every entry point ends here: frame path, timer, then the record. */
static void leave(struct pp_dev *dev, int ret, bool has_val, uint32_t val)
{
	pp_frame_run(dev);
	pp_timer_program(dev);
	record_return(dev, ret, has_val, val);
	dev->depth--;
}

PP_EXPORT uint32_t pp_dev_trap_bars(const struct pp_dev *dev)
{
	return dev != NULL ? dev->nic->trap_bars : 0;
}

PP_EXPORT uint32_t pp_dev_bar_size(const struct pp_dev *dev, unsigned int bar)
{
	if (dev == NULL || bar >= 6)
		return 0;
	return dev->nic->bar_size[bar];
}

PP_EXPORT int pp_dev_access(struct pp_dev *dev, unsigned int bar, uint32_t off,
			    unsigned int width, bool write, uint32_t *val)
{
	uint32_t v, mask, size;
	int ret;

	if (dev == NULL || val == NULL)
		return -EINVAL;
	if (!enter(dev, "pp_dev_access"))
		return -EINVAL;
	mask = width >= 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
	v = write ? *val & mask : 0;
	if (dev->tr != NULL) {
		struct pp_sbuf *e = pp_tr_begin(dev->tr, PP_TK_ACCESS);

		pp_tev_u(e, "bar", bar);
		pp_tev_x(e, "off", off);
		pp_tev_u(e, "width", width);
		pp_tev_word(e, "op", write ? "write" : "read");
		if (write)
			pp_tev_x(e, "val", v);
		pp_tr_end(dev->tr, PP_TK_ACCESS);
	}
	size = bar < 6 ? dev->nic->bar_size[bar] : 0;
	if (bar >= 6 || !(dev->nic->trap_bars & (1u << bar)) ||
	    (width != 1 && width != 2 && width != 4) ||
	    (size != 0 && (off >= size || width > size - off))) {
		dev->st.guest_errors++;
		pp_log(dev, PP_LOG_DEBUG,
		       "refused %s: bar %u off 0x%x width %u",
		       write ? "write" : "read", bar, off, width);
		ret = -EINVAL;
	} else {
		ret = dev->nic->access(dev, dev->priv, bar, off, width, write,
				       &v);
		if (ret > 0)
			ret = -EINVAL;
	}
	if (!write) {
		v = ret == 0 ? v & mask : 0xffffffffu & mask;
		*val = v;
	}
	leave(dev, ret, !write, v);
	return ret;
}

PP_EXPORT void pp_dev_interrupt(struct pp_dev *dev)
{
	if (dev == NULL || !enter(dev, "pp_dev_interrupt"))
		return;
	if (dev->tr != NULL) {
		pp_tr_begin(dev->tr, PP_TK_INTERRUPT);
		pp_tr_end(dev->tr, PP_TK_INTERRUPT);
	}
	if (dev->nic->interrupt != NULL)
		dev->nic->interrupt(dev, dev->priv);
	leave(dev, 0, false, 0);
}

PP_EXPORT void pp_dev_timer(struct pp_dev *dev)
{
	uint64_t now;

	if (dev == NULL || !enter(dev, "pp_dev_timer"))
		return;
	if (dev->tr != NULL) {
		pp_tr_begin(dev->tr, PP_TK_TIMER);
		pp_tr_end(dev->tr, PP_TK_TIMER);
	}
	/* The platform timer is one-shot: it is no longer armed. */
	dev->armed = 0;
	now = pp_plat_now(dev);
	if (dev->nic_deadline != 0 && dev->nic_deadline <= now) {
		dev->nic_deadline = 0;
		if (dev->nic->timer != NULL)
			dev->nic->timer(dev, dev->priv, now);
	}
	if (dev->filter_deadline != 0 && dev->filter_deadline <= now) {
		dev->filter_deadline = 0;
		if (dev->filter->timer != NULL)
			dev->filter_deadline =
				dev->filter->timer(dev->filter_state, now);
	}
	leave(dev, 0, false, 0);
}

PP_EXPORT void pp_dev_pci_command(struct pp_dev *dev, uint16_t cmd)
{
	if (dev == NULL || !enter(dev, "pp_dev_pci_command"))
		return;
	if (dev->tr != NULL) {
		struct pp_sbuf *e = pp_tr_begin(dev->tr, PP_TK_PCI_COMMAND);

		pp_tev_x(e, "cmd", cmd);
		pp_tr_end(dev->tr, PP_TK_PCI_COMMAND);
	}
	if (dev->nic->pci_command != NULL)
		dev->nic->pci_command(dev, dev->priv, cmd);
	leave(dev, 0, false, 0);
}

PP_EXPORT void pp_dev_get_stats(const struct pp_dev *dev,
				struct pp_dev_stats *out)
{
	if (out == NULL)
		return;
	if (dev == NULL)
		memset(out, 0, sizeof(*out));
	else
		*out = dev->st;
}

PP_EXPORT bool pp_dev_get_mac(const struct pp_dev *dev, uint8_t mac[6])
{
	if (dev == NULL || mac == NULL || !dev->mac_valid)
		return false;
	memcpy(mac, dev->mac, 6);
	return true;
}
