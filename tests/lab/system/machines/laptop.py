#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The laptop, as installed: carguard.service and bluetooth.service enabled, the USB host
role guarding the machine's ports, a person logged in whose session runs
carguard-notifier against a real notification server (Debian's dunst under Xvfb).

Boot "install": the package is installed on a fresh machine, then everything that needs
no reboot: the sandbox as running, Bluetooth and USB through a SIGKILL of carguardd,
restarts and a stop of each unit, a runtime block across a restart, and the person's
Allow once from the notifier against a second, inactive user and a caller with no
session. Boot "boot": the car is in range and plugged in from early boot; then the
package's reinstall, upgrade, remove and purge."""

import json
import os
import pwd
import shlex
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "guest"))
import systemkit as sk  # noqa: E402
import usb_watch  # noqa: E402

labkit, usblab = sk.labkit, sk.usblab
machine = sk.Machine()
SYSTEM = os.path.join(sk.SRC, "tests", "lab", "system")
BOOT_WINDOW = "/usr/share/doc/carguard/examples/boot-window"  # contrib/boot-window, installed
CAR = labkit.CAR_ADDRESS
PHONE_VENDOR = sk.PHONE_VENDOR_FILE
# The laptop's policy: the shipped defaults. The lab's car head unit is a gadget on the
# laptop's own kernel (dummy_hcd), and a laptop has no gadget or UDC of its own, so the
# phone-role guard, which keeps every gadget off every UDC, is off ([USBGadget] Guard=no).
LAPTOP_CONF = sk.SHIPPED_DEFAULTS + "[USBGadget]\nGuard=no\n"
ASK_CONF = LAPTOP_CONF.replace("Preset=audio-only\n", "Preset=audio-only\nPairing=ask\n")


def car_ok(tap, report, what, audio="hfp", data="pbap"):
    """The car paired (or kept its bond) and got AUDIO, and DATA was refused at it."""
    got_audio = report["services"].get(audio, {})
    tap.ok((report.get("paired") or report["bond"]["car"]["paired"]) and got_audio.get("connected")
           and (got_audio.get("at") == "ok" or got_audio.get("avdtp") == "ok"),
           f"{what}: the car pairs and gets {audio.upper()} (audio-only)", report)
    clean, got = sk.no_data(report)
    tap.ok(clean and sk.refused(report["services"].get(data, {})),
           f"{what}: the car's {data.upper()} is refused; no personal data reached it",
           got or report["services"])


# Around the restarts of bluetoothd below the car uses L2CAP services only (A2DP
# allowed, PAN refused), and it drives out of range before each
# (Bluetooth.out_of_range): connections after bluetoothd powered both emulated
# controllers off and on have oopsed the lab's 6.1 kernel (list corruption in
# hci_chan_del). PBAP and HFP are asserted before the first restart of this boot (the
# person's Allow once) and in the next boot.
L2CAP_ONLY = {"services": ["a2dp", "pan"], "audio": "a2dp", "data": "pan"}


def car_l2cap(tap, bt, what, pairing=None):
    car_ok(tap, bt.car(pairing=pairing, services=L2CAP_ONLY["services"]), what,
           audio=L2CAP_ONLY["audio"], data=L2CAP_ONLY["data"])


def usb_nothing(port):
    """The laptop's side of the car's port: enumerated at most, never authorized, no
    interface with a driver, no network interface."""
    rep = port.report()
    bound = [i for i in rep["interfaces"] if i.get("driver")]
    return (not rep["authorized"] and not bound and not rep["netdev"]), rep


@machine.phase("install")
def install(tap):
    sk.section(tap, "apt-get install ./carguard_*.deb")
    out = sk.install_deb(sk.ENV["LAB_DEB"])
    tap.ok(out.returncode == 0, "apt-get install ./carguard_*.deb succeeds on a machine with no network",
           out.stdout[-2000:] + out.stderr[-2000:])
    tap.ok("0 upgraded, 1 newly installed" in out.stdout and "Need to get 0 B" in out.stdout,
           "it installs carguard alone: the image already holds its dependencies", out.stdout[-1500:])
    cg = sk.unit("carguard.service")
    tap.ok(cg["ActiveState"] == "active" and cg["UnitFileState"] == "enabled",
           "carguard.service is enabled and running", cg)
    tap.ok("carguard.service" in sk.unit("bluetooth.service")["BindsTo"],
           "bluetooth.service is bound to carguard.service (the package's drop-in)",
           sk.unit("bluetooth.service"))

    sk.section(tap, "the sandbox as it runs")
    sec = sk.sh("systemd-analyze", "security", "--no-pager", "carguard.service")
    exposure = next((line.split(":")[-1].split()[0] for line in sec.stdout.splitlines()
                     if "Overall exposure level" in line), "99")
    tap.diag(f"systemd-analyze security carguard.service: {exposure}")
    tap.ok(float(exposure) <= 2.5,
           f"systemd-analyze security on the running unit: exposure {exposure} <= 2.5",
           sec.stdout[-3000:])
    status = sk.proc_status(sk.main_pid("carguard.service"))
    caps = {k: status.get(k) for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")}
    tap.ok(all(int(v, 16) == 0 for v in caps.values()),
           "carguardd holds no capability, not even in its bounding set",
           caps)
    tap.ok(status.get("NoNewPrivs") == "1" and status.get("Seccomp") == "2"
           and int(status.get("Seccomp_filters", "0")) >= 1,
           "carguardd runs with no_new_privs and a seccomp filter",
           {k: status.get(k) for k in ("NoNewPrivs", "Seccomp", "Seccomp_filters")})

    # The next boot has the car in range and plugged in from early boot.
    sk.install_lab_units("lab-btvirt.service", "lab-usb-watch.service", "lab-usb-car.service")
    for name in ("lab-btvirt.service", "lab-usb-watch.service", "lab-usb-car.service"):
        sk.systemctl("enable", name)
    # The admin closes the boot window as the package's example says (the package leaves
    # usbcore's authorized_default to the admin: an external keyboard must type the disk
    # password). The lab's initramfs loads no usbcore, so /etc/modprobe.d is enough here.
    shutil.copy(os.path.join(BOOT_WINDOW, "carguard-usb-boot.conf"), "/etc/modprobe.d/carguard-usb-boot.conf")

    sk.section(tap, "Bluetooth: the controllers appear, bluetoothd follows carguard")
    sk.systemctl("start", "lab-btvirt.service")
    sk.write(PHONE_VENDOR, sk.PHONE_VENDOR_TEXT)
    sk.write(sk.ASK_FILE, LAPTOP_CONF)
    sk.systemctl("reload", "carguard.service")
    bt = sk.Bluetooth()
    try:
        bt.wait_adapters()
        tap.ok(sk.active("bluetooth.service"), "udev starts bluetooth.service when the controllers appear",
               sk.unit("bluetooth.service"))
        tap.ok(sk.agent_registrations() >= 1, "carguardd is BlueZ's default agent",
               sk.unit_log("carguard.service")[-20:])
        bt.start_phone()
        car_l2cap(tap, bt, "installed", pairing="just-works")
        # The person meets the car on a bluetoothd that has not restarted yet: on the one
        # bluetoothd both ends share, the sections below leave the car's pairing seen
        # twice (tests/lab/system/README.md).
        bt.forget()
        person(tap, bt)
        car_l2cap(tap, bt, "paired again", pairing="just-works")
        kill_while_retrying(tap, bt)
        restarts(tap, bt)
        runtime_block(tap, bt)
    finally:
        bt.close()
        sk.write(sk.ASK_FILE, LAPTOP_CONF)


def kill_while_retrying(tap, bt):
    sk.section(tap, "systemctl kill -s KILL carguard while the car retries PAN and replugs USB")
    sk.modprobe("-a", "dummy_hcd", "libcomposite")
    labkit.wait_until(lambda: "dummy_udc.0" in usblab.udcs(), 20, "dummy_udc.0")
    port = usblab.CarUsbPort("1-1")
    tap.ok(usblab.authorized_default(1) == 0, "carguardd locked the new root hub (authorized_default=0)",
           usblab.authorized_default(1))
    usblab.ensure_configfs()
    hu = usblab.CarHeadUnitGadget().create(bind=True, udc="dummy_udc.0")
    port.wait_enumerated(20)
    tap.check("the car's USB device gets no driver and no network interface", lambda: usb_nothing(port))
    # The car retries over the bond it made above, as a car that comes back every day.
    watch_log = sk.log_path("install-kill-usb-watch.jsonl")
    retry_log = sk.log_path("install-kill-pan.jsonl")
    bt.lab.spawn("usb-watch", ["/usr/bin/python3", os.path.join(SYSTEM, "guest", "usb_watch.py"), watch_log])
    sk.wait(lambda: usb_watch.events(watch_log), 20, "the USB watch listening")
    bt.lab.spawn("car-retry", ["/usr/bin/python3", os.path.join(SYSTEM, "guest", "car_retry.py"),
                               retry_log, "pan"])
    sk.wait(lambda: len(sk.jsonl(retry_log)) >= 2, 60, "the car's first PAN tries")
    before = sk.unit("carguard.service")
    bt_before = sk.unit("bluetooth.service")
    mark = sk.cursor()
    # The car drives out of range before the kill (BindsTo= stops bluetoothd with
    # carguardd): a lab artefact of one bluetoothd serving both ends (car_retry.py).
    away = retry_log + ".away"
    sk.write(away, "")

    def out_of_range():
        try:
            return sk.jsonl(retry_log)[-1].get("skipped") == "the car is out of range"
        except (ValueError, IndexError):  # a line half-written
            return False
    sk.wait(out_of_range, 120, "the car out of range between two tries (car_retry.py)")
    bt.out_of_range()
    tap.ok(sk.active("bluetooth.service"), "bluetoothd runs when carguardd is killed",
           sk.unit("bluetooth.service"))
    t_kill = time.monotonic()
    sk.systemctl("kill", "-s", "KILL", "carguard.service")
    # The car pulls the cable and plugs it back while carguardd is down.
    hu.unbind()
    port.wait_gone(10)
    hu.bind("dummy_udc.0")
    port.wait_enumerated(20)
    t_replugged = time.monotonic()
    sk.wait_unit("carguard.service",
                 lambda u: u["ActiveState"] == "active" and u["NRestarts"] > before["NRestarts"],
                 30, "restarted by systemd")
    t_up = sk.unit_timestamp("carguard.service", "ActiveEnterTimestampMonotonic") / 1e6
    replugged_down = t_replugged < t_up
    bt.back_in_range()
    sk.wait(lambda: sk.agent_registrations(after=mark) >= 1, 30, "carguardd's agent back")
    os.unlink(away)

    # The car goes on asking for a while after the guard is back.
    def made():
        return [t for t in sk.jsonl(retry_log) if "skipped" not in t]
    n = len(made())
    sk.wait(lambda: len(made()) >= n + 3, 90, "more PAN tries after the restart")
    bt.lab.stop("car-retry")
    bt.lab.stop("usb-watch")
    tries = [t for t in sk.jsonl(retry_log) if "skipped" not in t]
    got = [t for t in tries if t.get("connected")]
    during = [t for t in tries if t_kill <= t["t"] <= t_up]
    skipped = [t for t in sk.jsonl(retry_log) if "skipped" in t and t_kill <= t["t"] <= t_up]
    tap.ok(tries and not got, f"the car's {len(tries)} PAN tries ({len(during)} while carguardd was down, "
           f"{len(skipped)} more it did not make, out of range) got no network link", got[:5])
    tap.ok(replugged_down, "the car replugged USB while carguardd was down",
           {"replugged": t_replugged, "back": t_up})
    tap.check("... and its USB device got no driver at any time, before or after the restart",
              lambda: (usb_watch.devices_seen(watch_log) and not usb_watch.data_paths(watch_log)
                       and usb_nothing(port)[0],
                       {"devices the watch saw come": usb_watch.devices_seen(watch_log),
                        "events": usb_watch.data_paths(watch_log), "now": port.report()}))
    cg_log = sk.unit_log("carguard.service", after=mark)
    tap.ok(any("status=9/KILL" in m for m in cg_log)
           and sk.unit("carguard.service")["NRestarts"] == before["NRestarts"] + 1,
           "the journal says systemd restarted carguardd after SIGKILL", cg_log[-15:])
    bt_after = sk.unit("bluetooth.service")
    bt_log = sk.unit_log("bluetooth.service", after=mark)
    tap.diag({"bluetoothd before": bt_before["MainPID"], "after": bt_after["MainPID"],
              "journal": bt_log[-12:]})
    tap.ok(bt_after["ActiveState"] == "active" and sk.bluetoothd_followed_guard(mark),
           "bluetoothd ran only while carguardd did: it stopped with the crash and started after the restart "
           "(carguardd(8), FAILING CLOSED)", bt_log[-12:])
    hu.unbind()
    hu.destroy()
    sk.modprobe("-r", "dummy_hcd")


def restarts(tap, bt):
    sk.section(tap, "systemctl restart bluetooth / restart carguard / stop carguard")
    cg = sk.unit("carguard.service")
    bt.out_of_range()
    mark = sk.cursor()
    sk.systemctl("restart", "bluetooth.service")
    bt.back_in_range()
    sk.wait(lambda: sk.agent_registrations(after=mark) >= 1, 30, "carguardd's agent on the new bluetoothd")
    tap.ok(sk.unit("carguard.service")["MainPID"] == cg["MainPID"],
           "restart bluetooth: carguardd keeps running and registers its agent with the new bluetoothd")
    car_l2cap(tap, bt, "after restart bluetooth")

    bt.out_of_range()
    mark = sk.cursor()
    bt_pid = sk.main_pid("bluetooth.service")
    sk.systemctl("restart", "carguard.service")
    bt.back_in_range()
    sk.wait(lambda: sk.agent_registrations(after=mark) >= 1, 30, "carguardd's agent")
    tap.ok(sk.main_pid("bluetooth.service") not in (0, bt_pid) and sk.bluetoothd_followed_guard(mark),
           "restart carguard: bluetoothd is stopped first and started again after carguardd",
           sk.unit_log("bluetooth.service", after=mark)[-10:])
    car_l2cap(tap, bt, "after restart carguard")

    bt.out_of_range()
    mark = sk.cursor()
    sk.systemctl("stop", "carguard.service")
    tap.ok(not sk.active("bluetooth.service") and not sk.active("carguard.service"),
           "stop carguard: bluetooth.service stops with it", sk.unit("bluetooth.service"))
    sk.systemctl("start", "carguard.service")
    bt.back_in_range()
    tap.ok(sk.active("bluetooth.service") and sk.bluetoothd_followed_guard(mark),
           "start carguard: bluetooth.service starts again after it (Wants=)",
           sk.unit_log("bluetooth.service", after=mark)[-8:])


def runtime_block(tap, bt):
    sk.section(tap, "a runtime block in /run/carguard survives a restart of carguard")
    path = "/run/carguard/vendors.d/lab-runtime-block.conf"
    sk.write(path, "[Vendor]\nName=Blocked until the next boot\n"
             f"[Device]\nBluetoothAddress={CAR}\nPreset=block\n")
    bt.out_of_range()
    sk.systemctl("restart", "carguard.service")
    bt.back_in_range()
    tap.ok(os.path.exists(path), "the file is still there after systemctl restart carguard",
           sk.sh("ls", "-la", "/run/carguard").stdout)
    report = bt.car(pairing=None, services=L2CAP_ONLY["services"])
    tap.ok(not report["services"]["a2dp"].get("connected") and sk.no_data(report)[0],
           "the car is still blocked: even A2DP is refused", report)
    os.unlink(path)
    sk.systemctl("reload", "carguard.service")
    # BlueZ keeps Blocked on disk: the block must end with the file that asked for it.
    car_device = labkit.device_path(labkit.PHONE_ADAPTER, CAR)

    def unblocked():
        device = labkit.props(bt.lab.bus, car_device, "org.bluez.Device1")
        return device is not None and not device.get("Blocked")
    try:
        lifted = sk.wait(unblocked, 30, "carguardd to lift the block it set")
    except sk.LabFailure:
        lifted = False
    tap.ok(lifted, "without the file carguardd lifts the block it set: the car's device is not Blocked",
           {"device": labkit.plain(labkit.props(bt.lab.bus, car_device, "org.bluez.Device1")),
            "journal": sk.unit_log("carguard.service")[-8:]})
    bt.forget()


# ---------------------------------------------------------------- the person

DESKTOP = os.path.join(SYSTEM, "desktop")


def as_user(user, *argv, timeout=60):
    """ARGV in USER's user manager (systemd-run --user -M USER@): as a process of the
    person's desktop is, attached to their session's seat by polkit."""
    return sk.sh("systemd-run", "-M", f"{user}@", "--user", "--wait", "--pipe", "--quiet",
                 "--collect", *argv, timeout=timeout)


def in_session(user):
    """A command prefix that runs as USER inside USER's seat session (its scope's
    cgroup), as if typed on that session's terminal, without opening another session."""
    pw = pwd.getpwnam(user)
    sid = session_id(user)
    procs = f"/sys/fs/cgroup/user.slice/user-{pw.pw_uid}.slice/session-{sid}.scope/cgroup.procs"
    return ["sh", "-c", f'echo $$ >{procs} && exec "$@"', "in-session",
            "setpriv", f"--reuid={user}", f"--regid={pw.pw_gid}", "--init-groups", "--",
            "env", f"HOME={pw.pw_dir}", f"USER={user}", f"XDG_RUNTIME_DIR=/run/user/{pw.pw_uid}"]


def loginctl_sessions():
    return sk.sh("loginctl", "list-sessions", "--no-legend").stdout.splitlines()


def session_id(user):
    for line in loginctl_sessions():
        fields = line.split()
        if len(fields) >= 4 and fields[2] == user and fields[3] == "seat0":
            return fields[0]
    return None


def session_of(user):
    for line in sk.sh("loginctl", "list-sessions", "--no-legend").stdout.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[2] == user:
            props = sk.sh("loginctl", "show-session", fields[0], "-p", "Active", "-p", "State",
                          "-p", "TTY", "-p", "Seat").stdout
            return dict(line.split("=", 1) for line in props.splitlines() if "=" in line)
    return None


def start_desktop(user):
    pw = pwd.getpwnam(user)
    home = pw.pw_dir
    for part in ("systemd", "dunst"):
        shutil.copytree(os.path.join(DESKTOP, part), os.path.join(home, ".config", part), dirs_exist_ok=True)
    for root, dirs, files in os.walk(os.path.join(home, ".config")):
        for name in dirs + files:
            os.chown(os.path.join(root, name), pw.pw_uid, pw.pw_gid)
    os.chown(os.path.join(home, ".config"), pw.pw_uid, pw.pw_gid)
    user_ctl = ["systemctl", "-M", f"{user}@", "--user"]
    sk.sh(*user_ctl, "daemon-reload")
    sk.sh(*user_ctl, "start", "lab-desktop.target", check=True)
    sk.wait(lambda: sk.sh(*user_ctl, "is-active", "carguard-notifier.service").stdout.strip() == "active",
            30, "carguard-notifier in the person's session")


def dunst_count(user):
    out = as_user(user, "dunstctl", "count", "displayed")
    try:
        return int(out.stdout.strip())
    except ValueError:
        return 0


def screenshot(user, dest):
    """The person's screen as PNG: Xvfb's frame buffer (XWD) through netpbm. Returns the
    number of colours in it (a blank screen has one)."""
    fb = f"/run/user/{pwd.getpwnam(user).pw_uid}/Xvfb_screen0"
    ppm = subprocess.run(["xwdtopnm", fb], capture_output=True).stdout
    with open(dest, "wb") as out:
        subprocess.run(["pnmtopng"], input=ppm, stdout=out, stderr=subprocess.DEVNULL)
    pixels = ppm[-1024 * 768 * 3:]  # P6, 8 bits per sample: the pixels end the file
    return len({pixels[i:i + 3] for i in range(0, len(pixels), 3 * 7)})


def person(tap, bt):
    sk.section(tap, "a person's session: carguard-notifier asks, "
               "Allow once as alice, refused for bob and carol")
    sk.write(sk.ASK_FILE, ASK_CONF)
    sk.systemctl("reload", "carguard.service")
    sk.systemctl("start", "getty@tty1.service", "getty@tty2.service")
    alice = sk.wait(lambda: session_of("alice"), 60, "alice's session on tty1")
    bob = sk.wait(lambda: session_of("bob"), 60, "bob's session on tty2")
    tap.ok(alice.get("Active") == "yes" and bob.get("Active") == "no",
           "logind: alice's session (tty1) is active, bob's (tty2) is not", {"alice": alice, "bob": bob})
    start_desktop("alice")
    sk.wait(lambda: sk.sh("systemctl", "-M", "bob@", "--user", "is-system-running").stdout.strip()
            in ("running", "degraded"), 60, "bob's user manager")
    car = subprocess.Popen(["/usr/bin/python3", os.path.join(labkit.GUEST, "car.py"),
                            "--services", "hfp,pbap"],
                           stdout=subprocess.PIPE, stderr=open(sk.log_path("car.log"), "ab"))
    try:
        shown = sk.wait(lambda: dunst_count("alice") >= 1, 45, "dunst to show carguard's question")
    except sk.LabFailure:
        shown = False
    tap.ok(shown, "carguard-notifier puts the question on alice's screen (dunst counts it displayed)",
           as_user("alice", "journalctl", "--user", "-n", "30", "--no-pager").stdout)
    png = sk.log_path("ask-notification.png")
    colours = sk.wait(lambda: (lambda n: n if n > 3 else 0)(screenshot("alice", png)), 20,
                      "the notification drawn on the screen") if shown else 0
    tap.ok(colours > 3 and os.path.getsize(png) > 1000,
           f"a screenshot of the question is kept: {os.path.basename(png)}",
           {"colours": colours})
    device = f"bluetooth/{CAR}"
    allow_once = ["/usr/bin/carguard", "allow-once", device]
    # bob also has a seatless session, as an SSH login opens one (pam_systemd): logind
    # calls it active, and polkit 122's allow_active then passes him from his inactive
    # seat session; carguardd's bouncer must still refuse him, for that session is not
    # the active one of its seat. A call from the seatless session itself polkit refuses.
    ssh = subprocess.Popen(["runuser", "-l", "bob", "-c", "exec sleep 900"])
    sk.wait(lambda: any(f[2:3] == ["bob"] and f[3:4] != ["seat0"]
                        for f in (line.split() for line in loginctl_sessions())), 30,
            "bob's seatless session")
    bob_uid = str(pwd.getpwnam("bob").pw_uid)
    callers = (
        ("bob, from his session on tty2 (logged in, not the active session)",
         in_session("bob") + allow_once, "is not the active session of its seat"),
        ("bob, in his seatless session (an SSH login: runuser -l, pam_systemd)",
         ["runuser", "-l", "bob", "-c", shlex.join(allow_once)], None),
        ("carol (no session at all: a cron job, a service)",
         ["setpriv", "--reuid=carol", "--regid=carol", "--init-groups", "--"] + allow_once, None),
    )
    try:
        for who, argv, bouncer_says in callers:
            mark = sk.cursor()
            out = sk.sh(*argv)
            tap.ok(out.returncode != 0 and "Not authorized" in out.stderr and car.poll() is None,
                   f"carguard allow-once as {who} is refused; the car still waits",
                   {"output": out.stdout + out.stderr,
                    "sessions": sk.sh("loginctl", "list-sessions", "--no-legend").stdout,
                    "journal": sk.messages(sk.journal(after=mark))[-25:]})
            if bouncer_says is None:
                continue
            refusals = sk.journal("CARGUARD_ACTION=org.carguard.allow-once", f"CARGUARD_CALLER_UID={bob_uid}",
                                  after=mark)
            tap.ok(refusals and bouncer_says in out.stderr,
                   f"polkit allowed it (allow_active); carguardd refused it: the session {bouncer_says}",
                   {"refusals": sk.messages(refusals), "output": out.stderr})
    finally:
        ssh.terminate()
        ssh.wait()
    # alice answers through dunst's menu: dunst invokes the notifier's "allow-once" action.
    as_user("alice", "dunstctl", "context")
    try:
        report = json.loads(car.communicate(timeout=240)[0])
    except (ValueError, subprocess.TimeoutExpired):
        car.kill()
        report = {"services": {}, "paired": False}
    menu = as_user("alice", "cat", "/run/user/1000/lab-menu.log").stdout
    tap.diag({"dunst menu": menu})
    car_ok(tap, report, "alice chose Allow once in the notification")
    answered = sk.events(sk.MESSAGE_ID_DECISION, transport="bluetooth", request="pair", device=CAR,
                         decision="allow once (person)")
    tap.ok(answered, "carguardd's journal records the person's answer (allow once (person))",
           sk.unit_log("carguard.service")[-20:])
    bt.forget()
    sk.write(sk.ASK_FILE, LAPTOP_CONF)
    sk.systemctl("reload", "carguard.service")


# ---------------------------------------------------------------- boot 2

@machine.phase("boot")
def boot(tap):
    sk.section(tap, "booted with the car in range and plugged in")
    watch_log = sk.log_path("boot-usb-watch.jsonl")
    events = usb_watch.events(watch_log)
    seen = usb_watch.devices_seen(watch_log)
    tap.ok(events and events[0].get("start") and sk.active("lab-usb-watch.service")
           and any(p.endswith("/1-1") for p in seen),
           "the USB watch ran from early boot and saw the car's USB device come",
           {"first": events[:2], "devices seen": seen})
    car_up = sk.unit_timestamp("lab-usb-car.service", "ActiveEnterTimestampMonotonic")
    guard_up = sk.unit_timestamp("carguard.service", "ExecMainStartTimestampMonotonic")
    tap.ok(car_up and guard_up and car_up < guard_up,
           "the car's USB device was enumerated before carguardd started",
           {"car": car_up, "carguardd": guard_up})
    hubs = sorted({e["hubs"].get("usb1") for e in events if e.get("hubs", {}).get("usb1") is not None})
    tap.ok(hubs == ["2"] and usblab.authorized_default(1) == 0,
           "the car's root hub was never open: 2 (hard-wired ports only) from the kernel "
           "(the admin's boot-window option), 0 once carguardd locked it",
           {"seen during boot": hubs, "now": usblab.authorized_default(1)})
    got = usb_watch.data_paths(watch_log)
    port = usblab.CarUsbPort("1-1")
    tap.ok(not got and usb_nothing(port)[0],
           "at no point of the boot did the car's USB device get a driver or a network interface",
           {"events": got, "now": port.report()})
    decisions = sk.events(sk.MESSAGE_ID_DECISION, transport="usb", device="1-1")
    tap.ok(decisions and all(e.get("CARGUARD_DECISION") == "charge-only" for e in decisions),
           "the journal has carguardd's decision on the car's USB device: charge-only",
           [{k: e.get(k) for k in ("MESSAGE", "CARGUARD_DECISION", "CARGUARD_RULE")} for e in decisions]
           or sk.unit_log("carguard.service")[-20:])
    bt = sk.Bluetooth()
    try:
        bt.wait_adapters()
        bt.start_phone()
        car_ok(tap, bt.car(pairing="just-works", services=["hfp", "pbap", "pan"]), "the car in range at boot")
        bt.forget()
    finally:
        bt.close()
    autopkgtest(tap)
    lifecycle(tap)


def autopkgtest(tap):
    """debian/tests on the installed package, as autopkgtest runs them on a testbed
    (their Depends are in the image)."""
    sk.section(tap, "debian/tests (autopkgtest) on the installed package")
    for name in ("installed-files", "service"):
        out = sk.sh(os.path.join(sk.SRC, "debian", "tests", name), timeout=180)
        tap.ok(out.returncode == 0 and "\nnot ok" not in "\n" + out.stdout,
               f"debian/tests/{name} passes", out.stdout[-2000:] + out.stderr[-2000:])


def lifecycle(tap):
    sk.section(tap, "reinstall, upgrade from the previous build, remove, purge")
    admin = sk.PHONE_VENDOR_FILE
    out = sk.install_deb(sk.ENV["LAB_DEB"], "--reinstall")
    tap.ok(out.returncode == 0 and sk.active("carguard.service") and sk.active("bluetooth.service"),
           "apt-get install --reinstall: carguard and Bluetooth run afterwards",
           out.stdout[-1500:] + out.stderr[-800:])
    out = sk.install_deb(sk.ENV["LAB_PREVIOUS_DEB"], "--allow-downgrades")
    up = sk.install_deb(sk.ENV["LAB_DEB"])
    version = sk.sh("dpkg-query", "-W", "-f", "${Version}", "carguard").stdout
    tap.ok(out.returncode == 0 and up.returncode == 0 and "~previous" not in version and
           sk.active("carguard.service") and sk.active("bluetooth.service"),
           f"upgrade from the previous build to {version}: carguard and Bluetooth run afterwards",
           out.stdout[-800:] + up.stdout[-1200:] + up.stderr[-800:])
    tap.ok(os.path.exists(admin), "the admin's vendor file is kept through reinstall and upgrade")
    out = sk.apt("remove", "carguard")
    tap.ok(out.returncode == 0 and not os.path.exists("/usr/sbin/carguardd"), "apt-get remove carguard",
           out.stdout[-1200:] + out.stderr[-600:])
    bt = sk.unit("bluetooth.service")
    tap.ok(bt["ActiveState"] == "active" and "carguard" not in bt["BindsTo"],
           "after remove Bluetooth runs again, without carguard's drop-in", bt)
    tap.ok(os.path.exists(admin), "remove keeps the admin's vendor file")
    out = sk.apt("purge", "carguard")
    tap.ok(out.returncode == 0 and os.path.exists(admin) and sk.active("bluetooth.service"),
           "apt-get purge: the admin's vendor file stays, Bluetooth runs",
           out.stdout[-1200:] + out.stderr[-600:])
    left = sk.sh("dpkg-query", "-W", "-f", "${db:Status-Status}", "carguard").stdout
    tap.ok(left != "installed", "dpkg no longer has carguard installed", left)


if __name__ == "__main__":
    sys.exit(machine.main())
