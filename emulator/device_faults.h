/* SPDX-License-Identifier: MIT */
/* Fault injection for one emulated camera (docs/faults.md): joins the fault
 * engine (emulator/fault/) to the layers it breaks. Stream faults act on each
 * frame as it is queued, device faults (unplug, reset, replug) and link
 * settings fire from one device-time event, and every fault that acts is logged
 * in the camera's event log (kind `fault`) and so in the VCD trace.
 *
 * Armed faults survive a power-up (each USB/IP import powers the camera up):
 * their `at` times are device times since the latest power-up, and what they
 * count (transfers, frames, commands) goes on counting. */
#ifndef DFK_DEVICE_FAULTS_H
#define DFK_DEVICE_FAULTS_H

#include <stddef.h>
#include <stdint.h>

#include "u3v/u3vsp.h"

struct emu_device;
struct fault_armed;

void emu_faults_init(struct emu_device *d);
/* The camera powered up (its scheduler was cleared): re-arm the device-time event. */
void emu_faults_power_up(struct emu_device *d);

/* A frame is about to be queued: apply a stream fault to its leader, trailer
 * and length, and the block-id / timestamp offsets of earlier faults. */
void emu_faults_frame(struct emu_device *d, struct u3vsp_leader *l, struct u3vsp_trailer *t, size_t *len);
/* The frame being queued, packed: patch its leader/trailer (a `corrupt` fault). */
void emu_faults_frame_packed(void *ctx, uint8_t *leader, size_t leader_len, uint8_t *trailer, size_t trailer_len);
/* A link rate cap stretches a frame's time on the link. */
uint64_t emu_faults_link_ns(struct emu_device *d, uint64_t link_ns, size_t len);

/* The side channel and --faults. Each returns 0 or a negative dfk_err with a message in err. */
int emu_faults_add(struct emu_device *d, const char *line, uint32_t *id, char *err, size_t errlen);
int emu_faults_load(struct emu_device *d, const char *text, size_t len, size_t *added, char *err, size_t errlen);
int emu_faults_remove(struct emu_device *d, uint32_t id);
size_t emu_faults_clear(struct emu_device *d);
size_t emu_faults_count(struct emu_device *d);
void emu_faults_list(struct emu_device *d, void (*fn)(void *ctx, const struct fault_armed *f), void *ctx);

#endif
