/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Built-in NIC backends linked into libparapass (see nic_table.c). Each is
 * built by its drivers/<nic>/meson.build as a static library with hidden
 * visibility and linked whole into the shared library.
 */
#ifndef PP_BACKENDS_H
#define PP_BACKENDS_H

#include <parapass/pp_nic.h>

#ifdef PP_HAVE_E100
/* Intel 8255x (PRO/100), drivers/e100. */
extern const struct pp_nic_ops pp_e100_ops;
#endif

#endif /* PP_BACKENDS_H */
