/* SPDX-License-Identifier: BSD-2-Clause */
/* ESP, IPv4, IPv6 and UDP wire formats (to be completed by libesp). */
#ifndef PARAPASS_PP_ESP_WIRE_H
#define PARAPASS_PP_ESP_WIRE_H
#endif
