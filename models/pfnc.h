/* SPDX-License-Identifier: MIT */
/* Pixel format codes of the GenICam Pixel Format Naming Convention (PFNC 2.x)
 * that the built-in models use: the one place the emulator and the models
 * spell them. A code is (colour space << 24) | (bits per pixel << 16) | id.
 *
 * dfk-conform keeps its own copy (conformance/lib/framecheck.h) on purpose:
 * the checker is written from the documents, never from the emulator's code. */
#ifndef DFK_PFNC_H
#define DFK_PFNC_H

#define PFNC_MONO8                 0x01080001u
#define PFNC_MONO12P               0x010C0047u
#define PFNC_MONO16                0x01100007u
#define PFNC_BAYER_RG8             0x01080009u
#define PFNC_BAYER_RG12P           0x010C0059u
#define PFNC_BAYER_RG16            0x0110002Fu
#define PFNC_BGR8                  0x02180015u
#define PFNC_YCBCR422_8            0x0210003Bu
#define PFNC_YCBCR411_8            0x020C005Au
#define PFNC_YCBCR411_8_CBYYCRYY   0x020C003Cu

/* Bits per pixel on the wire, as every PFNC code carries them. */
#define PFNC_BITS(code) (((code) >> 16) & 0xFFu)

#endif
