// SPDX-License-Identifier: BSD-2-Clause
/* The built-in backend table, in probe order. */
#include <stddef.h>

#include "pp_backends.h"
#include "pp_internal.h"

PP_EXPORT const struct pp_nic_ops *const pp_nic_table[] = {
#ifdef PP_HAVE_E100
	&pp_e100_ops,
#endif
	NULL,
};

const struct pp_nic_ops *pp_nic_select(const struct pp_pci_id *id)
{
	unsigned int i;

	for (i = 0; pp_nic_table[i] != NULL; i++) {
		const struct pp_nic_ops *n = pp_nic_table[i];

		if (n->probe != NULL && n->probe(id))
			return n;
	}
	return NULL;
}
