// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A FAKE USB power supply for the carguard lab, and nothing else.
 *
 * A phone without Type-C learns that a cable is in from its charger's
 * power_supply (type USB: online, and usb_type SDP or CDP for a host's data
 * port, DCP for a wall charger).  The lab's VM has no charger, and Debian's
 * kernel is built without test_power, so this module registers one
 * power_supply class device, "carguard-lab-usb", whose online and usb_type
 * the lab writes through sysfs.  Every write ends in power_supply_changed():
 * the kernel's own change uevent, as a charger's interrupt handler sends it.
 *
 * sysfs takes usb_type as a number (the power_supply_usb_type value); the
 * attribute reads back as the kernel prints it, "Unknown [SDP] DCP CDP".
 */
#include <linux/module.h>
#include <linux/power_supply.h>

static const enum power_supply_usb_type lab_usb_types[] = {
	POWER_SUPPLY_USB_TYPE_UNKNOWN,
	POWER_SUPPLY_USB_TYPE_SDP,
	POWER_SUPPLY_USB_TYPE_DCP,
	POWER_SUPPLY_USB_TYPE_CDP,
};

static const enum power_supply_property lab_props[] = {
	POWER_SUPPLY_PROP_ONLINE,
	POWER_SUPPLY_PROP_USB_TYPE,
};

static struct power_supply *lab_psy;
static int lab_online;
static int lab_usb_type = POWER_SUPPLY_USB_TYPE_SDP;

static bool lab_usb_type_known(int value)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lab_usb_types); i++)
		if (lab_usb_types[i] == value)
			return true;
	return false;
}

static int lab_get(struct power_supply *psy, enum power_supply_property psp,
		   union power_supply_propval *val)
{
	switch (psp) {
	case POWER_SUPPLY_PROP_ONLINE:
		val->intval = READ_ONCE(lab_online);
		return 0;
	case POWER_SUPPLY_PROP_USB_TYPE:
		val->intval = READ_ONCE(lab_usb_type);
		return 0;
	default:
		return -EINVAL;
	}
}

static int lab_set(struct power_supply *psy, enum power_supply_property psp,
		   const union power_supply_propval *val)
{
	switch (psp) {
	case POWER_SUPPLY_PROP_ONLINE:
		if (val->intval != 0 && val->intval != 1)
			return -EINVAL;
		WRITE_ONCE(lab_online, val->intval);
		break;
	case POWER_SUPPLY_PROP_USB_TYPE:
		if (!lab_usb_type_known(val->intval))
			return -EINVAL;
		WRITE_ONCE(lab_usb_type, val->intval);
		break;
	default:
		return -EINVAL;
	}
	power_supply_changed(psy);
	return 0;
}

static int lab_writeable(struct power_supply *psy,
			 enum power_supply_property psp)
{
	return psp == POWER_SUPPLY_PROP_ONLINE ||
	       psp == POWER_SUPPLY_PROP_USB_TYPE;
}

static const struct power_supply_desc lab_desc = {
	.name = "carguard-lab-usb",
	.type = POWER_SUPPLY_TYPE_USB,
	.usb_types = lab_usb_types,
	.num_usb_types = ARRAY_SIZE(lab_usb_types),
	.properties = lab_props,
	.num_properties = ARRAY_SIZE(lab_props),
	.get_property = lab_get,
	.set_property = lab_set,
	.property_is_writeable = lab_writeable,
};

static int __init lab_init(void)
{
	lab_psy = power_supply_register_no_ws(NULL, &lab_desc, NULL);
	return PTR_ERR_OR_ZERO(lab_psy);
}

static void __exit lab_exit(void)
{
	power_supply_unregister(lab_psy);
}

module_init(lab_init);
module_exit(lab_exit);
MODULE_DESCRIPTION("carguard lab: a fake USB power supply the lab plugs in");
MODULE_LICENSE("GPL");
