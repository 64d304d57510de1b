/* SPDX-License-Identifier: MIT */
/* usbip suite: the USB/IP server side, checked with our own client
 * (Linux Documentation/usb/usbip_protocol.rst). Only for usbip:// devices. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conform.h"

static char host[128], busid[33];
static int port;

static int suite_init(void)
{
	CU_pSuite s = CU_get_current_suite();

	if (!xport_has(session->x, XPORT_CAP_USBIP) ||
	    uip_url_parts(session->url, host, sizeof(host), &port, busid, sizeof(busid)) < 0) {
		printf("\n  usbip suite skipped: %s is not a usbip:// device\n", session->url);
		for (CU_pTest t = s->pTest; t; t = t->pNext)
			CU_set_test_active(t, CU_FALSE);
	}
	return 0;
}

/* The device list describes the device exactly as its descriptors do. */
static void test_devlist_matches_descriptors(void)
{
	struct uip_device list[16];
	const uint8_t *dd = session->dev.dev_desc, *cfg = session->dev.config;
	int n = uip_devlist(host, port, list, 16), found = -1;

	REQUIRE_MSG(n > 0, "OP_REQ_DEVLIST: %d", n);
	for (int i = 0; i < n && i < 16; i++)
		if (strcmp(list[i].busid, busid) == 0)
			found = i;
	REQUIRE_MSG(found >= 0, "bus id %s not in the device list", busid);
	struct uip_device *d = &list[found];
	CHECK_MSG(d->vid == rd_le16(dd + 8) && d->pid == rd_le16(dd + 10), "devlist %04x:%04x vs descriptor %04x:%04x",
		  d->vid, d->pid, rd_le16(dd + 8), rd_le16(dd + 10));
	CHECK_MSG(d->bcd_device == rd_le16(dd + 12), "bcdDevice %04x vs %04x", d->bcd_device, rd_le16(dd + 12));
	CHECK_MSG(d->dev_class == dd[4] && d->dev_subclass == dd[5] && d->dev_protocol == dd[6],
		  "class %02x/%02x/%02x vs %02x/%02x/%02x", d->dev_class, d->dev_subclass, d->dev_protocol, dd[4], dd[5],
		  dd[6]);
	CHECK_MSG(d->n_configs == dd[17], "bNumConfigurations %u vs %u", d->n_configs, dd[17]);
	CHECK_MSG(d->n_interfaces == cfg[4], "bNumInterfaces %u vs %u", d->n_interfaces, cfg[4]);
	CHECK_MSG(rd_le16(dd + 2) < 0x0300 || d->speed == 5, "bcdUSB %04x but speed %u (5 = SuperSpeed)",
		  rd_le16(dd + 2), d->speed);
	/* interface records in configuration order */
	unsigned k = 0;
	for (int off = 0; off + 2 <= session->dev.config_len && cfg[off] >= 2; off += cfg[off]) {
		const uint8_t *p = cfg + off;
		if (p[1] != USB_DESC_INTERFACE || p[3] != 0)
			continue;
		CHECK_MSG(k < d->n_interfaces && d->if_class[k] == p[5] && d->if_subclass[k] == p[6] &&
				  d->if_protocol[k] == p[7],
			  "interface record %u: %02x/%02x/%02x vs descriptor %02x/%02x/%02x", k, d->if_class[k],
			  d->if_subclass[k], d->if_protocol[k], p[5], p[6], p[7]);
		k++;
	}
}

/* A device imported by one client cannot be imported by a second one. */
static void test_second_import_refused(void)
{
	struct uip_device dev;
	int st = -1, fd = uip_import_raw(host, port, busid, &dev, &st);

	if (fd >= 0)
		close(fd);
	CHECK_MSG(fd == -EBUSY && st != 0, "second import: result %d, status %d (expected a refusal)", fd, st);
	/* our own connection still works */
	uint8_t buf[4];
	CHECK_MSG(gencp_read(&session->gc, 0, buf, 4) == 0, "GenCP after the refused import");
}

/* Once the importer disconnects the device is exportable again. */
static void test_import_after_disconnect(void)
{
	int rc = conform_reconnect(5000);

	CHECK_MSG(rc == 0, "re-import after disconnect: %d", rc);
}

/* Import of a bus id that does not exist is refused. */
static void test_unknown_busid_refused(void)
{
	struct uip_device dev;
	int st = -1, fd = uip_import_raw(host, port, "9-9", &dev, &st);

	if (fd >= 0)
		close(fd);
	CHECK_MSG(fd == -EBUSY && st != 0, "import of 9-9: result %d, status %d", fd, st);
}

/* Unlinking a pending URB answers -ECONNRESET and the URB is never answered. */
static void test_unlink_pending(void)
{
	uint32_t seq;
	int st = 1;
	bool got = true;
	uint8_t ep = session->dev.u3v.ep_event ? session->dev.u3v.ep_event : session->dev.u3v.ep_stream;

	REQUIRE_MSG(ep, "no idle IN endpoint to test with");
	REQUIRE_MSG(uip_submit_in(session->x, ep, 1024, &seq) == 0, "submit");
	usleep(20000);
	CHECK_MSG(uip_unlink(session->x, seq, &st, &got) == 0, "unlink round trip");
	CHECK_MSG(st == -ECONNRESET, "RET_UNLINK status %d (expected %d)", st, -ECONNRESET);
	CHECK_MSG(!got, "a RET_SUBMIT came for the unlinked URB");
	uint8_t buf[4];
	CHECK_MSG(gencp_read(&session->gc, 0, buf, 4) == 0, "GenCP after the unlink");
}

/* Unlinking a URB that was already answered gives status 0. */
static void test_unlink_completed(void)
{
	uint8_t cmd[24];
	uint32_t seq;
	int st = 1;
	bool got = false;

	wr_le32(cmd, GENCP_PREFIX);
	wr_le16(cmd + 4, GENCP_REQUEST_ACK);
	wr_le16(cmd + 6, GENCP_READMEM_CMD);
	wr_le16(cmd + 8, 12);
	wr_le16(cmd + 10, gencp_take_id(&session->gc));
	wr_le64(cmd + 12, 0);
	wr_le16(cmd + 20, 0);
	wr_le16(cmd + 22, 4);
	REQUIRE_MSG(session->x->ops->bulk(session->x, session->dev.u3v.ep_ctrl_out, cmd, sizeof(cmd), 1000) == 24, "command");
	REQUIRE_MSG(uip_submit_in(session->x, session->dev.u3v.ep_ctrl_in, 1024, &seq) == 0, "submit");
	usleep(50000);   /* the ack is ready: the URB is answered before the unlink arrives */
	CHECK_MSG(uip_unlink(session->x, seq, &st, &got) == 0, "unlink round trip");
	CHECK_MSG(got, "the URB had no answer");
	CHECK_MSG(st == 0, "RET_UNLINK status %d for an answered URB (expected 0)", st);
}

void suite_usbip_register(const char *name)
{
	CU_pSuite s = CU_add_suite(name, suite_init, NULL);

	CU_add_test(s, "devlist_matches_descriptors", test_devlist_matches_descriptors);
	CU_add_test(s, "second_import_refused", test_second_import_refused);
	CU_add_test(s, "unknown_busid_refused", test_unknown_busid_refused);
	CU_add_test(s, "unlink_pending", test_unlink_pending);
	CU_add_test(s, "unlink_completed", test_unlink_completed);
	CU_add_test(s, "import_after_disconnect", test_import_after_disconnect);
}
