/* SPDX-License-Identifier: MIT */
#include "arvdev.h"

#include <string.h>

#include "wire.h"

struct _ConformDevice {
	ArvDevice parent;
	struct gencp *g;
	char *xml;
	size_t xml_len;
	ArvGc *genicam;
	int last_status;
};

G_DEFINE_TYPE(ConformDevice, conform_device, ARV_TYPE_DEVICE)

static void set_error(ConformDevice *d, int rc, GError **error)
{
	int code = ARV_DEVICE_ERROR_PROTOCOL_ERROR;

	d->last_status = rc;
	if (rc < 0) {
		code = rc == -ETIMEDOUT ? ARV_DEVICE_ERROR_TIMEOUT : rc == -ENODEV ? ARV_DEVICE_ERROR_NOT_CONNECTED
										   : ARV_DEVICE_ERROR_TRANSFER_ERROR;
		g_set_error(error, ARV_DEVICE_ERROR, code, "transport: %s", g_strerror(-rc));
		return;
	}
	switch (rc) {
	case GENCP_NOT_IMPLEMENTED: code = ARV_DEVICE_ERROR_PROTOCOL_ERROR_NOT_IMPLEMENTED; break;
	case GENCP_INVALID_PARAMETER: code = ARV_DEVICE_ERROR_PROTOCOL_ERROR_INVALID_PARAMETER; break;
	case GENCP_INVALID_ADDRESS: code = ARV_DEVICE_ERROR_PROTOCOL_ERROR_INVALID_ADDRESS; break;
	case GENCP_WRITE_PROTECT: code = ARV_DEVICE_ERROR_PROTOCOL_ERROR_WRITE_PROTECT; break;
	case GENCP_BAD_ALIGNMENT: code = ARV_DEVICE_ERROR_PROTOCOL_ERROR_BAD_ALIGNMENT; break;
	case GENCP_ACCESS_DENIED: code = ARV_DEVICE_ERROR_PROTOCOL_ERROR_ACCESS_DENIED; break;
	case GENCP_BUSY: code = ARV_DEVICE_ERROR_PROTOCOL_ERROR_BUSY; break;
	default: break;
	}
	g_set_error(error, ARV_DEVICE_ERROR, code, "GenCP status 0x%04x (%s)", rc, gencp_status_name((uint16_t)rc));
}

static gboolean dev_read_memory(ArvDevice *device, guint64 address, guint32 size, void *buffer, GError **error)
{
	ConformDevice *d = CONFORM_DEVICE(device);
	int rc = gencp_read(d->g, address, buffer, size);

	if (rc) {
		set_error(d, rc, error);
		return FALSE;
	}
	return TRUE;
}

static gboolean dev_write_memory(ArvDevice *device, guint64 address, guint32 size, void *buffer, GError **error)
{
	ConformDevice *d = CONFORM_DEVICE(device);
	int rc = gencp_write(d->g, address, buffer, size);

	if (rc) {
		set_error(d, rc, error);
		return FALSE;
	}
	return TRUE;
}

static gboolean dev_read_register(ArvDevice *device, guint64 address, guint32 *value, GError **error)
{
	return dev_read_memory(device, address, 4, value, error);
}

static gboolean dev_write_register(ArvDevice *device, guint64 address, guint32 value, GError **error)
{
	return dev_write_memory(device, address, 4, &value, error);
}

static ArvGc *dev_get_genicam(ArvDevice *device) { return CONFORM_DEVICE(device)->genicam; }

static const char *dev_get_genicam_xml(ArvDevice *device, size_t *size)
{
	ConformDevice *d = CONFORM_DEVICE(device);

	*size = d->xml_len;
	return d->xml;
}

static void conform_device_finalize(GObject *object)
{
	ConformDevice *d = CONFORM_DEVICE(object);

	g_clear_object(&d->genicam);
	g_free(d->xml);
	G_OBJECT_CLASS(conform_device_parent_class)->finalize(object);
}

static void conform_device_init(ConformDevice *d) { (void)d; }

static void conform_device_class_init(ConformDeviceClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	ArvDeviceClass *device_class = ARV_DEVICE_CLASS(klass);

	object_class->finalize = conform_device_finalize;
	device_class->read_memory = dev_read_memory;
	device_class->write_memory = dev_write_memory;
	device_class->read_register = dev_read_register;
	device_class->write_register = dev_write_register;
	device_class->get_genicam = dev_get_genicam;
	device_class->get_genicam_xml = dev_get_genicam_xml;
}

/* Manifest entry 0 -> address, size and compression of the XML. */
static gboolean fetch_xml(ConformDevice *d, GError **error)
{
	uint64_t manifest, count;
	uint8_t entry[64];
	int rc = gencp_read_u64(d->g, ABRM_MANIFEST, &manifest);

	if (rc == 0)
		rc = gencp_read_u64(d->g, manifest, &count);
	if (rc == 0 && count == 0)
		rc = -ENOENT;
	if (rc == 0)
		rc = gencp_read(d->g, manifest + 8, entry, sizeof(entry));
	if (rc) {
		set_error(d, rc, error);
		return FALSE;
	}
	uint32_t format = rd_le32(entry + 4);
	uint64_t addr = rd_le64(entry + 8), size = rd_le64(entry + 16);
	if (size == 0 || size > 16u * 1024 * 1024) {
		g_set_error(error, ARV_DEVICE_ERROR, ARV_DEVICE_ERROR_GENICAM_NOT_FOUND, "manifest file size %" G_GUINT64_FORMAT,
			    size);
		return FALSE;
	}
	char *buf = g_malloc(size + 1);
	rc = gencp_read(d->g, addr, buf, (uint32_t)size);
	if (rc) {
		g_free(buf);
		set_error(d, rc, error);
		return FALSE;
	}
	buf[size] = '\0';
	if (((format >> 10) & 0x3F) == 1) {
		/* zipped: let Aravis's own unzip take the first file */
		ArvZip *zip = arv_zip_new(buf, size);
		const GSList *files = arv_zip_get_file_list(zip);
		if (files) {
			size_t len = 0;
			void *data = arv_zip_get_file(zip, arv_zip_file_get_name(files->data), &len);
			g_free(buf);
			buf = g_malloc(len + 1);
			memcpy(buf, data, len);
			buf[len] = '\0';
			size = len;
			g_free(data);
		}
		arv_zip_free(zip);
	}
	d->xml = buf;
	d->xml_len = size;
	return TRUE;
}

ConformDevice *conform_device_new(struct gencp *g, GError **error)
{
	ConformDevice *d = g_object_new(CONFORM_TYPE_DEVICE, NULL);

	d->g = g;
	if (!fetch_xml(d, error)) {
		g_object_unref(d);
		return NULL;
	}
	d->genicam = arv_gc_new(ARV_DEVICE(d), d->xml, d->xml_len);
	if (!d->genicam) {
		g_set_error(error, ARV_DEVICE_ERROR, ARV_DEVICE_ERROR_GENICAM_NOT_FOUND, "libaravis cannot parse the XML");
		g_object_unref(d);
		return NULL;
	}
	return d;
}

const char *conform_device_xml(ConformDevice *d, size_t *len)
{
	*len = d->xml_len;
	return d->xml;
}

int conform_device_last_status(ConformDevice *d) { return d->last_status; }
