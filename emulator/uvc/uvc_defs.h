/* SPDX-License-Identifier: MIT */
/* Numbers of the USB Video Class 1.5 specification that the UVC face uses:
 * class codes, descriptor subtypes, requests, selectors, error codes. */
#ifndef DFK_UVC_DEFS_H
#define DFK_UVC_DEFS_H

/* Interface class, subclasses, protocol (UVC 1.5 A.1-A.3) */
#define UVC_CC_VIDEO                    0x0E
#define UVC_SC_VIDEOCONTROL             0x01
#define UVC_SC_VIDEOSTREAMING           0x02
#define UVC_SC_VIDEO_INTERFACE_COLLECTION 0x03
#define UVC_PC_PROTOCOL_UNDEFINED       0x00
#define UVC_PC_PROTOCOL_15              0x01

/* Class-specific descriptor types (A.4) */
#define UVC_CS_INTERFACE                0x24
#define UVC_CS_ENDPOINT                 0x25

/* VideoControl interface descriptor subtypes (A.5) */
#define UVC_VC_HEADER                   0x01
#define UVC_VC_INPUT_TERMINAL           0x02
#define UVC_VC_OUTPUT_TERMINAL          0x03
#define UVC_VC_PROCESSING_UNIT          0x05
#define UVC_VC_EXTENSION_UNIT           0x06

/* VideoStreaming interface descriptor subtypes (A.6) */
#define UVC_VS_INPUT_HEADER             0x01
#define UVC_VS_FORMAT_UNCOMPRESSED      0x04
#define UVC_VS_FRAME_UNCOMPRESSED       0x05
#define UVC_VS_COLORFORMAT              0x0D

/* Terminal types (B.1-B.2) */
#define UVC_TT_STREAMING                0x0101
#define UVC_ITT_CAMERA                  0x0201

/* Class-specific requests (A.8) */
#define UVC_SET_CUR                     0x01
#define UVC_GET_CUR                     0x81
#define UVC_GET_MIN                     0x82
#define UVC_GET_MAX                     0x83
#define UVC_GET_RES                     0x84
#define UVC_GET_LEN                     0x85
#define UVC_GET_INFO                    0x86
#define UVC_GET_DEF                     0x87

/* bmRequestType of class requests to an interface or entity (4.2.1, 4.3.1) */
#define UVC_RT_SET_IFACE                0x21
#define UVC_RT_GET_IFACE                0xA1

/* VideoControl interface control selectors (A.9.1) */
#define UVC_VC_VIDEO_POWER_MODE_CONTROL 0x01
#define UVC_VC_REQUEST_ERROR_CODE_CONTROL 0x02

/* Camera terminal control selectors (A.9.4) */
#define UVC_CT_AE_MODE_CONTROL          0x02
#define UVC_CT_EXPOSURE_TIME_ABSOLUTE_CONTROL 0x04

/* Processing unit control selectors (A.9.5) */
#define UVC_PU_BRIGHTNESS_CONTROL       0x02
#define UVC_PU_GAIN_CONTROL             0x04
#define UVC_PU_HUE_CONTROL              0x06
#define UVC_PU_SATURATION_CONTROL       0x07
#define UVC_PU_GAMMA_CONTROL            0x09
#define UVC_PU_WHITE_BALANCE_TEMPERATURE_CONTROL 0x0A

/* VideoStreaming interface control selectors (A.9.8) */
#define UVC_VS_PROBE_CONTROL            0x01
#define UVC_VS_COMMIT_CONTROL           0x02
#define UVC_VS_STREAM_ERROR_CODE_CONTROL 0x06

/* Request error codes (4.2.1.2, table 4-7) */
#define UVC_ERR_NONE                    0x00
#define UVC_ERR_NOT_READY               0x01
#define UVC_ERR_WRONG_STATE             0x02
#define UVC_ERR_POWER                   0x03
#define UVC_ERR_OUT_OF_RANGE            0x04
#define UVC_ERR_INVALID_UNIT            0x05
#define UVC_ERR_INVALID_CONTROL         0x06
#define UVC_ERR_INVALID_REQUEST         0x07
#define UVC_ERR_INVALID_VALUE           0x08
#define UVC_ERR_UNKNOWN                 0xFF

/* GET_INFO capability bits (4.1.2, table 4-3) */
#define UVC_INFO_GET                    0x01
#define UVC_INFO_SET                    0x02
#define UVC_INFO_DISABLED               0x04
#define UVC_INFO_AUTOUPDATE             0x08
#define UVC_INFO_ASYNC                  0x10

/* Auto-exposure mode bits (CT_AE_MODE_CONTROL, 4.2.2.1.2) */
#define UVC_AE_MODE_MANUAL              0x01
#define UVC_AE_MODE_AUTO                0x02
#define UVC_AE_MODE_SHUTTER_PRIORITY    0x04
#define UVC_AE_MODE_APERTURE_PRIORITY   0x08

/* Payload header bmHeaderInfo bits (2.4.3.3) */
#define UVC_PH_FID                      0x01
#define UVC_PH_EOF                      0x02
#define UVC_PH_PTS                      0x04
#define UVC_PH_SCR                      0x08
#define UVC_PH_RES                      0x10
#define UVC_PH_STI                      0x20
#define UVC_PH_ERR                      0x40
#define UVC_PH_EOH                      0x80

#endif
