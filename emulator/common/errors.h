/* SPDX-License-Identifier: MIT */
/* One error enum for the emulator's internal calls. Wire-level codes (GenCP status,
 * USB/IP status, URB errno) are separate spaces and are mapped in exactly one place each. */
#ifndef DFK_ERRORS_H
#define DFK_ERRORS_H

enum dfk_err {
	DFK_OK = 0,
	DFK_ERR_NOMEM = -1,      /* allocation failed */
	DFK_ERR_INVAL = -2,      /* invalid argument or malformed input */
	DFK_ERR_IO = -3,         /* system call failed (errno kept by the caller's log) */
	DFK_ERR_PROTO = -4,      /* peer violated the wire protocol */
	DFK_ERR_RANGE = -5,      /* value outside its allowed range */
	DFK_ERR_ADDRESS = -6,    /* no register at that address */
	DFK_ERR_ALIGN = -7,      /* address or length not aligned to the register */
	DFK_ERR_READONLY = -8,   /* write to a read-only location */
	DFK_ERR_DENIED = -9,     /* location exists but is not accessible now (locked, write-only) */
	DFK_ERR_NOTSUP = -10,    /* operation not implemented */
	DFK_ERR_BUSY = -11,      /* device busy, try again */
	DFK_ERR_NOTFOUND = -12,  /* named thing does not exist */
	DFK_ERR_CORRUPT = -13,   /* stored data failed validation */
	DFK_ERR_UNALIGNED_SIZE = -14, /* a transfer size not aligned as the device requires */
	DFK_ERR_INCONSISTENT = -15,   /* settings that do not fit together */
	/* NB: update DFK_ERR_COUNT and the table in errors.c when adding a code. */
	DFK_ERR_COUNT = 16
};

const char *dfk_strerror(int err);

#endif
