/* The device session shared by dfk-conform and dfk-bench: the one `C`, opening the
 * device (transport, USB probe, GenCP, bootstrap pointers, the device's own GenICam
 * XML in libaravis), re-opening it after it left the bus, closing it. */
#include <errno.h>
#include <stdio.h>

#include "conform.h"

static struct conform ctx;
struct conform *C = &ctx;

static void close_arv(void)
{
	if (C->arv) {
		g_object_unref(C->arv);
		C->arv = NULL;
		C->genicam = NULL;
	}
}

/* GenCP on the probed interface, then the device's XML (left NULL if unreadable: the
 * suites that need it say so). Returns 0 or -errno; `why` names what failed. */
static int attach_gencp(char *why, size_t len)
{
	GError *err = NULL;
	int rc;

	gencp_init(&C->gc, C->x, C->dev.u3v.ep_ctrl_out, C->dev.u3v.ep_ctrl_in);
	rc = gencp_configure(&C->gc);
	if (rc) {
		snprintf(why, len, "GenCP bootstrap reads failed (%d)", rc);
		return rc < 0 ? rc : -EPROTO;
	}
	C->arv = conform_device_new(&C->gc, &err);
	if (C->arv) {
		C->genicam = arv_device_get_genicam(ARV_DEVICE(C->arv));
	} else {
		snprintf(C->xml_error, sizeof(C->xml_error), "%s", err ? err->message : "unreadable");
		if (C->verbose)
			fprintf(stderr, "dfk-conform: GenICam XML: %s\n", C->xml_error);
	}
	g_clear_error(&err);
	return 0;
}

int conform_open(void)
{
	char msg[256] = "";
	int rc = xport_open(C->url, &C->x, msg, sizeof(msg));

	if (rc >= 0)
		rc = usbdev_probe(&C->dev, C->x, msg, sizeof(msg));
	if (rc >= 0)
		rc = attach_gencp(msg, sizeof(msg));
	if (rc < 0) {
		snprintf(C->open_error, sizeof(C->open_error), "%s", msg);
		return rc;
	}
	gencp_read_u64(&C->gc, ABRM_SBRM, &C->sbrm);
	gencp_read_u64(&C->gc, ABRM_MANIFEST, &C->manifest);
	gencp_read_u64(&C->gc, C->sbrm + SBRM_SIRM, &C->sirm);
	gencp_read_u64(&C->gc, C->sbrm + SBRM_EIRM, &C->eirm);
	return 0;
}

int conform_reconnect(unsigned timeout_ms)
{
	char msg[256] = "";
	int rc;

	close_arv();
	rc = C->x->ops->reopen(C->x, timeout_ms);
	if (rc >= 0)
		rc = usbdev_probe(&C->dev, C->x, msg, sizeof(msg));
	if (rc >= 0)
		rc = attach_gencp(msg, sizeof(msg));
	if (rc >= 0 && !C->arv)
		rc = -EPROTO;
	return rc;
}

void conform_close(void)
{
	close_arv();
	if (C->x)
		C->x->ops->close(C->x);
	C->x = NULL;
}

CU_pSuite conform_add_suite(const char *name, const char *what)
{
	(void)what;
	return CU_add_suite(name, NULL, NULL);
}
