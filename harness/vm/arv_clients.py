# SPDX-License-Identifier: MIT
"""Third-party client calls, run in the QEMU guest by Debian's /usr/bin/python3 through
GObject introspection (gir1.2-aravis-0.8): what a Python program using ArvCamera does.

    python3 harness/vm/arv_clients.py STEP [ARGS...]

Each step opens the first camera with Aravis.Camera.new(None), does what it says and prints one
line `RESULT <json>`; every GError is caught and reported in the JSON ("error"), never raised,
so the host-side test (harness/test_clients.py) decides. Steps:

  region X Y W H          arv_camera_set_region at power-up, then what the camera reads back
  framerate F N W H       arv_camera_set/get_frame_rate[_bounds], then N buffers at W x H:
                          leader timestamps (device time) and their spacing
  formats W H N           every pixel format: set it, set the region, stream N buffers
  viewer                  arv-viewer 0.8's start-up calls (start_camera, update_camera_region,
                          the exposure/gain/black-level/frame-rate widgets, start_video), replayed
  sfnc                    the SFNC features a generic GenICam client looks for
  order                   writes in an order the manual's dependencies do not expect
"""
import json
import sys

import gi

gi.require_version("Aravis", "0.8")
from gi.repository import Aravis, GLib  # noqa: E402


def result(**kw):
    print("RESULT " + json.dumps(kw, sort_keys=True), flush=True)


def gerr(e):
    return "%s: %s" % (type(e).__name__, getattr(e, "message", str(e)))


def camera():
    Aravis.update_device_list()
    return Aravis.Camera.new(None)


def feature(cam, name, kind="integer"):
    dev = cam.get_device()
    try:
        if kind == "integer":
            return dev.get_integer_feature_value(name)
        if kind == "float":
            return dev.get_float_feature_value(name)
        if kind == "string":
            return dev.get_string_feature_value(name)
    except GLib.Error as e:
        return "error " + gerr(e)
    raise ValueError(kind)


def grab(cam, n, timeout_us=20000000):
    """Stream n buffers (sync USB mode, Aravis's default); returns a list of per-buffer dicts."""
    stream = cam.create_stream(None, None)
    payload = cam.get_payload()
    # a buffer for each frame asked for: a guest under TCG may stall the client for longer
    # than a few frame periods, and Aravis drops a frame that finds no buffer (an underrun
    # of this client, not the camera's doing)
    for _ in range(max(4, n)):
        stream.push_buffer(Aravis.Buffer.new_allocate(payload))
    cam.set_acquisition_mode(Aravis.AcquisitionMode.CONTINUOUS)
    cam.start_acquisition()
    out = []
    try:
        for _ in range(n):
            buf = stream.timeout_pop_buffer(timeout_us)
            if buf is None:
                out.append({"status": "TIMEOUT"})
                break
            data = buf.get_data()
            out.append({
                "status": buf.get_status().value_nick,
                "frame_id": buf.get_frame_id(),
                "timestamp": buf.get_timestamp(),
                "width": buf.get_image_width(),
                "height": buf.get_image_height(),
                "x": buf.get_image_x(),
                "y": buf.get_image_y(),
                "pixel_format": buf.get_image_pixel_format(),
                "size": len(data),
                "distinct": len(set(data[:4096])),
            })
            stream.push_buffer(buf)
    finally:
        cam.stop_acquisition()
        del stream
    return out, payload


def step_region(x, y, w, h):
    cam = camera()
    err = None
    try:
        cam.set_region(int(x), int(y), int(w), int(h))
    except GLib.Error as e:
        err = gerr(e)
    try:
        region = list(cam.get_region())
    except GLib.Error as e:
        region = "error " + gerr(e)
    result(error=err, region=region, offset_auto_center=feature(cam, "OffsetAutoCenter", "string"),
           width_max=feature(cam, "WidthMax"), height_max=feature(cam, "HeightMax"))


def step_framerate(f, n, w, h):
    cam = camera()
    out = {"vendor": cam.get_vendor_name(), "errors": []}
    try:
        out["available"] = cam.is_frame_rate_available()
        cam.set_region(-1, -1, int(w), int(h))
        out["bounds_before"] = list(cam.get_frame_rate_bounds())
        out["rate_before"] = cam.get_frame_rate()
        cam.set_frame_rate(float(f))
        out["rate_after"] = cam.get_frame_rate()
        out["acquisition_frame_rate"] = feature(cam, "AcquisitionFrameRate", "float")
        out["exposure_time"] = feature(cam, "ExposureTime", "float")
        out["trigger_mode"] = feature(cam, "TriggerMode", "string")
        bufs, payload = grab(cam, int(n))
        out["buffers"] = bufs
        out["payload"] = payload
        ts = [b["timestamp"] for b in bufs if b.get("status") == "success"]
        out["spacing_ns"] = [b - a for a, b in zip(ts, ts[1:])]
    except GLib.Error as e:
        out["errors"].append(gerr(e))
    result(**out)


def step_formats(w, h, n):
    cam = camera()
    formats = cam.dup_available_pixel_formats_as_strings()
    runs = {}
    for fmt in formats:
        r = {"errors": []}
        try:
            cam.set_pixel_format_from_string(fmt)
            cam.set_region(0, 0, int(w), int(h))
            r["region"] = list(cam.get_region())
            r["pixel_format"] = cam.get_pixel_format()
            r["buffers"], r["payload"] = grab(cam, int(n))
        except GLib.Error as e:
            r["errors"].append(gerr(e))
        runs[fmt] = r
    result(formats=list(formats), runs=runs)


def step_viewer():
    """arv-viewer 0.8 (viewer/arvviewer.c): start_camera, then the widgets it fills, then
    start_video and a region / frame-rate change from its spin buttons and entry."""
    cam = camera()
    calls = []

    def call(name, *args):
        if not hasattr(cam, name):       # newer viewers only (e.g. *_increment after 0.8.26)
            calls.append([name, "absent"])
            return None
        try:
            v = getattr(cam, name)(*args)
            calls.append([name, None])
            return v
        except GLib.Error as e:
            calls.append([name, gerr(e)])
            return None

    call("is_uv_device")
    call("uv_set_usb_mode", Aravis.UvUsbMode.SYNC)
    call("set_chunk_mode", False)          # arv-viewer ignores this error (no chunks on the camera)
    call("is_region_offset_available")
    call("is_binning_available")
    call("get_region")
    call("get_binning")
    for axis in ("x_binning", "y_binning", "x_offset", "y_offset", "width", "height"):
        call("get_%s_bounds" % axis)
        call("get_%s_increment" % axis)
    call("dup_available_pixel_formats_as_strings")
    call("dup_available_pixel_formats")
    call("get_pixel_format_as_string")
    call("get_exposure_time_bounds")
    call("get_exposure_time_increment")
    call("get_gain_bounds")
    call("get_gain_increment")
    call("get_black_level_bounds")
    rate_available = call("is_frame_rate_available")
    call("get_frame_rate")
    call("is_gain_available")
    call("is_black_level_available")
    call("is_exposure_time_available")
    call("get_gain_auto")
    call("get_black_level_auto")
    call("get_exposure_time_auto")
    call("is_gain_auto_available")
    call("is_black_level_auto_available")
    call("is_exposure_auto_available")
    call("get_vendor_name")
    call("get_device_serial_number")
    # the ROI spin buttons (x, y, width, height), the frame-rate entry, then start_video
    call("set_region", 0, 0, 512, 128)
    region = call("get_region")
    call("set_frame_rate", 20.0)
    rate = call("get_frame_rate")
    bufs = None
    try:
        bufs, _ = grab(cam, 3)
    except GLib.Error as e:
        calls.append(["grab", gerr(e)])
    result(calls=calls, region=list(region) if region else None, rate=rate,
           rate_available=rate_available, buffers=bufs)


# SFNC names a generic client (arv-tool, Aravis's ArvCamera, harvesters, GenICam browsers) reads
SFNC = [
    ("DeviceVendorName", "string"), ("DeviceModelName", "string"), ("DeviceSerialNumber", "string"),
    ("DeviceVersion", "string"), ("SensorWidth", "integer"), ("SensorHeight", "integer"),
    ("WidthMax", "integer"), ("HeightMax", "integer"), ("Width", "integer"), ("Height", "integer"),
    ("OffsetX", "integer"), ("OffsetY", "integer"), ("PixelFormat", "string"),
    ("PayloadSize", "integer"), ("AcquisitionMode", "string"), ("AcquisitionFrameRate", "float"),
    ("ExposureTime", "float"), ("ExposureAuto", "string"), ("Gain", "float"), ("GainAuto", "string"),
    ("BlackLevel", "integer"), ("TriggerSelector", "string"), ("TriggerMode", "string"),
    ("TriggerSource", "string"), ("TriggerActivation", "string"), ("TLParamsLocked", "integer"),
    ("DeviceSFNCVersionMajor", "integer"), ("BinningHorizontal", "integer"),
    ("DecimationHorizontal", "integer"), ("ReverseX", "boolean"), ("BalanceWhiteAuto", "string"),
    ("UserSetSelector", "string"),
]
# what the manual does not have (SFNC names a generic client may try; manual-quirks L)
SFNC_ABSENT = ["LineSelector", "LineMode", "LineSource", "LineStatus", "DeviceTemperature",
               "AcquisitionFrameRateEnable", "ChunkModeActive", "EventSelector"]


def step_sfnc():
    cam = camera()
    dev = cam.get_device()
    present = {}
    for name, kind in SFNC:
        node = dev.get_feature(name)
        if node is None:
            present[name] = None
            continue
        try:
            if kind == "boolean":
                v = dev.get_boolean_feature_value(name)
            else:
                v = feature(cam, name, kind)
        except GLib.Error as e:
            v = "error " + gerr(e)
        present[name] = v
    absent = {name: dev.get_feature(name) is not None for name in SFNC_ABSENT}
    triggers = list(cam.dup_available_triggers())
    trigger_sources = list(cam.dup_available_trigger_sources())
    entries = {n: list(dev.dup_available_enumeration_feature_values_as_strings(n))
               for n in ("TriggerSelector", "AcquisitionMode", "TriggerSource", "PixelFormat")}
    result(features=present, absent=absent, triggers=triggers, trigger_sources=trigger_sources,
           entries=entries, sensor=list(cam.get_sensor_size()),
           software_trigger=cam.is_software_trigger_supported())


def step_order():
    """Writes in an order the manual's dependencies do not expect, with OffsetAutoCenter Off
    (the only state where offsets act): offset before size, size back to the maximum with an
    offset set, frame rate above the maximum, pixel format change with a frame rate set."""
    cam = camera()
    dev = cam.get_device()
    out = {}

    def w(name, value):
        try:
            if isinstance(value, str):
                dev.set_string_feature_value(name, value)
            elif isinstance(value, float):
                dev.set_float_feature_value(name, value)
            else:
                dev.set_integer_feature_value(name, value)
            return None
        except GLib.Error as e:
            return gerr(e)

    out["auto_center_off"] = w("OffsetAutoCenter", "Off")
    # OffsetX first at full width: no room, the camera uses the largest valid value (0)
    out["offset_first"] = w("OffsetX", 1024)
    out["offset_first_reads"] = feature(cam, "OffsetX")
    out["width_after"] = w("Width", 1024)
    out["offset_after_width"] = feature(cam, "OffsetX")
    # the right order (Aravis's set_region): size, then offset
    out["offset_second"] = w("OffsetX", 1024)
    out["offset_second_reads"] = feature(cam, "OffsetX")
    # growing the width back: the offset is clamped, not the width refused
    out["width_grow"] = w("Width", 4096)
    out["offset_after_grow"] = feature(cam, "OffsetX")
    # a frame rate above the current maximum is refused; after a smaller region it is accepted
    out["rate_max_full"] = feature(cam, "AcquisitionFrameRateMax", "float")
    out["rate_100_full"] = w("AcquisitionFrameRate", 100.0)
    out["height_small"] = w("Height", 480)
    out["rate_max_small"] = feature(cam, "AcquisitionFrameRateMax", "float")
    out["rate_100_small"] = w("AcquisitionFrameRate", 100.0)
    # a wider pixel format lowers the maximum: the rate set is clamped to it
    out["bgr8"] = w("PixelFormat", "BGR8")
    out["height_full"] = w("Height", 2160)
    out["rate_after_bgr8_full"] = feature(cam, "AcquisitionFrameRate", "float")
    out["rate_max_bgr8_full"] = feature(cam, "AcquisitionFrameRateMax", "float")
    result(**out)


STEPS = {"region": step_region, "framerate": step_framerate, "formats": step_formats,
         "viewer": step_viewer, "sfnc": step_sfnc, "order": step_order}

if __name__ == "__main__":
    STEPS[sys.argv[1]](*sys.argv[2:])
