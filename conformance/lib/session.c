/* SPDX-License-Identifier: MIT */
/* The device session (session.h): opening the device, re-opening it after it left
 * the bus, closing it. */
#include "session.h"

#include <errno.h>
#include <stdio.h>

static struct conform ctx;
struct conform *session = &ctx;

static void close_arv(void)
{
	if (session->arv) {
		g_object_unref(session->arv);
		session->arv = NULL;
		session->genicam = NULL;
	}
}

/* GenCP on the probed interface, then the device's XML (left NULL if unreadable: the
 * suites that need it say so). Returns 0 or -errno; `why` names what failed. */
static int attach_gencp(char *why, size_t len)
{
	GError *err = NULL;
	int rc;

	gencp_init(&session->gc, session->x, session->dev.u3v.ep_ctrl_out, session->dev.u3v.ep_ctrl_in);
	rc = gencp_configure(&session->gc);
	if (rc) {
		snprintf(why, len, "GenCP bootstrap reads failed (%d)", rc);
		return rc < 0 ? rc : -EPROTO;
	}
	session->arv = conform_device_new(&session->gc, &err);
	if (session->arv) {
		session->genicam = arv_device_get_genicam(ARV_DEVICE(session->arv));
	} else {
		snprintf(session->xml_error, sizeof(session->xml_error), "%s", err ? err->message : "unreadable");
		if (session->verbose)
			fprintf(stderr, "dfk-conform: GenICam XML: %s\n", session->xml_error);
	}
	g_clear_error(&err);
	return 0;
}

int conform_open(void)
{
	char msg[256] = "";
	int rc = xport_open(session->url, &session->x, msg, sizeof(msg));

	if (rc >= 0)
		rc = usbdev_probe(&session->dev, session->x, msg, sizeof(msg));
	if (rc == -ENODEV && session->x && session->dev.uvc_vc_if >= 0) {
		/* no USB3 Vision interface, a VideoControl one: the camera's UVC face */
		session->uvc = true;
		return 0;
	}
	if (rc >= 0)
		rc = attach_gencp(msg, sizeof(msg));
	if (rc < 0) {
		snprintf(session->open_error, sizeof(session->open_error), "%s", msg);
		return rc;
	}
	gencp_read_u64(&session->gc, ABRM_SBRM, &session->sbrm);
	gencp_read_u64(&session->gc, ABRM_MANIFEST, &session->manifest);
	gencp_read_u64(&session->gc, session->sbrm + SBRM_SIRM, &session->sirm);
	gencp_read_u64(&session->gc, session->sbrm + SBRM_EIRM, &session->eirm);
	return 0;
}

int conform_reconnect(unsigned timeout_ms)
{
	char msg[256] = "";
	int rc;

	close_arv();
	rc = session->x->ops->reopen(session->x, timeout_ms);
	if (rc >= 0)
		rc = usbdev_probe(&session->dev, session->x, msg, sizeof(msg));
	if (rc >= 0)
		rc = attach_gencp(msg, sizeof(msg));
	if (rc >= 0 && !session->arv)
		rc = -EPROTO;
	return rc;
}

void conform_close(void)
{
	close_arv();
	if (session->x)
		session->x->ops->close(session->x);
	session->x = NULL;
}
