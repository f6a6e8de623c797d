/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Common definitions shared by every libparapass library: export marker,
 * log levels and the log callback type.
 */
#ifndef PARAPASS_PP_COMMON_H
#define PARAPASS_PP_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks a public symbol; every library is built with hidden visibility. */
#if defined(PP_BUILDING_LIBRARY)
#define PP_EXPORT __attribute__((visibility("default")))
#else
#define PP_EXPORT
#endif

/* syslog(3)-compatible levels. */
enum pp_log_level {
	PP_LOG_ERR = 3,
	PP_LOG_WARNING = 4,
	PP_LOG_NOTICE = 5,
	PP_LOG_INFO = 6,
	PP_LOG_DEBUG = 7,
};

/*
 * Log sink. @msg has no trailing newline and is valid only during the call.
 * The library never calls it while holding a secret in @msg.
 */
typedef void (*pp_log_fn)(void *opaque, enum pp_log_level level,
			  const char *msg);

#ifdef __cplusplus
}
#endif

#endif /* PARAPASS_PP_COMMON_H */
