/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The names of carguardd's D-Bus API, written once. The methods and signals are in
 * org.carguard.Daemon1.xml beside this file (gdbus-codegen makes the daemon's skeleton
 * and the clients' proxies from it); the daemon, the CLI and the notifier include this
 * header, and the lab's Python reads it (tests/lab/guest/cgnames.py). Each definition
 * is one string literal, or a name defined above followed by one, so that a plain parser
 * can read it. tests/packaging/check-units holds the data files (bus policy, activation,
 * polkit actions) to these names. */

/* The service */
#define CG_DBUS_NAME "org.carguard.Daemon1"
#define CG_DBUS_PATH "/org/carguard/Daemon1"
#define CG_DBUS_INTERFACE "org.carguard.Daemon1"

/* Errors a method returns */
#define CG_DBUS_ERROR_NAME_UNKNOWN_DEVICE CG_DBUS_INTERFACE ".Error.UnknownDevice"
#define CG_DBUS_ERROR_NAME_NOT_ASKED CG_DBUS_INTERFACE ".Error.NotAsked"
#define CG_DBUS_ERROR_NAME_POLICY_INVALID CG_DBUS_INTERFACE ".Error.PolicyInvalid"
#define CG_DBUS_ERROR_NAME_FAILED CG_DBUS_INTERFACE ".Error.Failed"
#define CG_DBUS_ERROR_NAME_NOT_APPROVED CG_DBUS_INTERFACE ".Error.NotApproved"

/* The polkit actions the bouncer maps each method to (data/org.carguard.policy);
 * CG_ACTION_ALLOW_ONCE answers a question either way (AllowOnce, Deny). */
#define CG_ACTION_READ "org.carguard.read"
#define CG_ACTION_ALLOW_ONCE "org.carguard.allow-once"
#define CG_ACTION_REVOKE "org.carguard.revoke"
#define CG_ACTION_BLOCK "org.carguard.block"
#define CG_ACTION_RELOAD "org.carguard.reload"
#define CG_ACTION_EDIT_POLICY "org.carguard.edit-policy"

/* The keys of a device record (an a{sv}: ListDevices, the Decision signal); the XML
 * gives each one's type and meaning, cg-dbus-record.h the codec. */
#define CG_DBUS_RECORD_ID "Id"
#define CG_DBUS_RECORD_TRANSPORT "Transport"
#define CG_DBUS_RECORD_DEVICE "Device"
#define CG_DBUS_RECORD_NAME "Name"
#define CG_DBUS_RECORD_USB_ID "USBID"
#define CG_DBUS_RECORD_VENDOR "Vendor"
#define CG_DBUS_RECORD_VENDOR_NAME "VendorName"
#define CG_DBUS_RECORD_DECISION "Decision"
#define CG_DBUS_RECORD_RULE "Rule"
#define CG_DBUS_RECORD_ALLOWED "Allowed"
#define CG_DBUS_RECORD_DENIED "Denied"
#define CG_DBUS_RECORD_ENFORCED "Enforced"
#define CG_DBUS_RECORD_PENDING "Pending"
#define CG_DBUS_RECORD_QUESTION "Question"

/* The keys of a record's open question (an a{sv} under CG_DBUS_RECORD_QUESTION) */
#define CG_DBUS_QUESTION_ID "Id"
#define CG_DBUS_QUESTION_ASKS "Asks"
#define CG_DBUS_QUESTION_KIND "Kind"
#define CG_DBUS_QUESTION_GRANTS "Grants"
#define CG_DBUS_QUESTION_WARNING "Warning"
#define CG_DBUS_QUESTION_PASSKEY "Passkey"
#define CG_DBUS_QUESTION_SECONDS_LEFT "SecondsLeft"

/* AllowOnce's argument: the device's Id, this separator, the question's id
 * ("usb/1-1#7"), so an answer reaches only the question a person saw */
#define CG_DBUS_QUESTION_SEPARATOR "#"

/* The keys of Explain's facts (an a{sv}) */
#define CG_DBUS_FACT_BLUETOOTH_ADDRESS "BluetoothAddress"
#define CG_DBUS_FACT_BLUETOOTH_ADDRESS_TYPE "BluetoothAddressType"
#define CG_DBUS_FACT_BLUETOOTH_CLASS "BluetoothClass"
#define CG_DBUS_FACT_BLUETOOTH_NAME "BluetoothName"
#define CG_DBUS_FACT_MODALIAS "Modalias"
#define CG_DBUS_FACT_USB_VENDOR "USBVendor"
#define CG_DBUS_FACT_USB_PRODUCT "USBProduct"
#define CG_DBUS_FACT_USB_MANUFACTURER "USBManufacturer"
#define CG_DBUS_FACT_USB_PRODUCT_NAME "USBProductName"
#define CG_DBUS_FACT_USB_SERIAL "USBSerial"
#define CG_DBUS_FACT_USB_INTERFACE_CLASSES "USBInterfaceClasses"
#define CG_DBUS_FACT_TYPEC_PARTNER_VID "TypeCPartnerVID"

/* The keys of Status's a{sv}; the XML gives each one's type and meaning */
#define CG_DBUS_STATUS_VERSION "Version"
#define CG_DBUS_STATUS_ROOT "Root"
#define CG_DBUS_STATUS_POLICY_HASH "PolicyHash"
#define CG_DBUS_STATUS_POLICY_FILES "PolicyFiles"
#define CG_DBUS_STATUS_POLICY_VENDORS "PolicyVendors"
#define CG_DBUS_STATUS_POLICY_FALLBACK "PolicyFallback"
#define CG_DBUS_STATUS_POLICY_LOADED "PolicyLoaded"
#define CG_DBUS_STATUS_LAST_RELOAD "LastReload"
#define CG_DBUS_STATUS_LAST_RELOAD_OK "LastReloadOK"
#define CG_DBUS_STATUS_LAST_RELOAD_PROBLEMS "LastReloadProblems"
#define CG_DBUS_STATUS_HWDB "Hwdb"
#define CG_DBUS_STATUS_GUARDS "Guards"

/* The keys of each guard under CG_DBUS_STATUS_GUARDS */
#define CG_DBUS_GUARD_NAME "Name"
#define CG_DBUS_GUARD_RUNNING "Running"
#define CG_DBUS_GUARD_WHAT "What"
