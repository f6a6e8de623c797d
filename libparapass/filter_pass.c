// SPDX-License-Identifier: BSD-2-Clause
/* The "pass" filter: every frame continues unchanged (baselines, tests). */
#include "pp_internal.h"

static void pass_frames(void *state, enum pp_dir dir, struct pp_pkt *pkts[],
			unsigned int n)
{
	unsigned int i;

	(void)state;
	(void)dir;
	for (i = 0; i < n; i++)
		pkts[i]->status = PP_VERDICT_PASS;
}

PP_EXPORT const struct pp_filter_ops pp_filter_pass = {
	.name = "pass",
	.frames = pass_frames,
};
