# SPDX-License-Identifier: LGPL-2.1-or-later
"""The systemd lab's disk: Debian bookworm from packages only (mmdebstrap), the quick
lab's kernel modules under /lib/modules, an ext4 image made with mke2fs -d, and the
carguard .deb built from the source tree. Everything is cached under BUILD/lab/system,
keyed on what went into it, and built under a lock (meson may start two boots)."""

import fcntl
import glob
import hashlib
import inspect
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.realpath(__file__))
SRC = os.path.realpath(os.path.join(HERE, "..", "..", ".."))
PACKAGES_FILE = os.path.join(HERE, "packages")
INITRAMFS_INIT = os.path.join(HERE, "initramfs-init")
GUEST_UNIT = os.path.join(HERE, "units", "carguard-lab.service")
SUITE = "bookworm"
IMAGE_SIZE = "4G"

# What the initramfs loads to mount the root disk (virtio-blk, ext4) and the source and
# results shares (9p), in this order. The rest comes from /lib/modules in the image.
INITRAMFS_MODULES = [
    "virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev",
    "virtio_pci", "virtio_rng", "virtio_blk", "crc16", "mbcache", "jbd2",
    "crc32c_generic", "ext4", "netfs", "fscache", "9pnet", "9pnet_virtio", "9p",
]

# The lab's people: alice logs in on tty1 (the active session), bob on tty2 (a session
# that is not in front), carol never logs in (a caller with no session, like a cron job
# or an ssh command without pam_systemd).
USERS = (("alice", 1000), ("bob", 1001), ("carol", 1002))


def log(msg):
    print(f"lab: {msg}", file=__import__("sys").stderr, flush=True)


class ImageError(Exception):
    pass


# ---------------------------------------------------------------- the .deb

def source_files():
    """The files a package build reads: what git tracks plus untracked files that are
    not ignored (work in progress is tested as it is)."""
    out = subprocess.run(["git", "-C", SRC, "ls-files", "-co", "--exclude-standard", "-z"],
                         capture_output=True, check=True).stdout
    return sorted(f for f in out.decode().split("\0") if f and os.path.isfile(os.path.join(SRC, f)))


def tree_key(files):
    h = hashlib.sha256()
    for rel in files:
        h.update(rel.encode() + b"\0")
        with open(os.path.join(SRC, rel), "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()[:16]


def build_deb(sysdir):
    """carguard_*.deb built by dpkg-buildpackage from a copy of the source tree; cached
    on the tree's content. Returns its path."""
    if not shutil.which("git") or not os.path.isdir(os.path.join(SRC, ".git")) and \
            not os.path.isfile(os.path.join(SRC, ".git")):
        raise ImageError(f"{SRC} is not a git checkout: the lab builds the .deb from git ls-files")
    files = source_files()
    # The lab's own scripts do not go into the package: editing a scenario does not
    # rebuild it.
    key = tree_key([f for f in files if not f.startswith("tests/lab/") or f.endswith("meson.build")])
    debdir = os.path.join(sysdir, f"deb-{key}")
    found = glob.glob(os.path.join(debdir, "carguard_*.deb"))
    if found:
        return found[0]
    t = time.monotonic()
    log("building carguard_*.deb (dpkg-buildpackage -us -uc -b, nocheck)")
    work = debdir + ".tmp"
    shutil.rmtree(work, ignore_errors=True)
    tree = os.path.join(work, "carguard")
    os.makedirs(tree)
    for rel in files:
        dst = os.path.join(tree, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(os.path.join(SRC, rel), dst, follow_symlinks=False)
    env = dict(os.environ, DEB_BUILD_OPTIONS="nocheck parallel=2", DEB_BUILD_PROFILES="nocheck")
    with open(os.path.join(work, "build.log"), "wb") as out:
        r = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=tree, env=env,
                           stdout=out, stderr=subprocess.STDOUT)
    if r.returncode:
        raise ImageError(f"dpkg-buildpackage failed; see {work}/build.log")
    shutil.rmtree(tree)
    for f in os.listdir(sysdir):
        if f.startswith("deb-") and not f.endswith(".tmp"):
            shutil.rmtree(os.path.join(sysdir, f), ignore_errors=True)
    os.rename(work, debdir)
    log(f"built the .deb in {time.monotonic() - t:.1f}s")
    return glob.glob(os.path.join(debdir, "carguard_*.deb"))[0]


def deb_dependencies(deb):
    """Package names from the .deb's Depends and Recommends (first alternative, no
    versions): the image holds them so that the install in the guest needs no network."""
    names = []
    for field in ("Depends", "Recommends"):
        value = subprocess.run(["dpkg-deb", "-f", deb, field], capture_output=True, text=True,
                               check=True).stdout
        for item in value.split(","):
            first = item.split("|")[0].strip()
            name = re.sub(r"\s*\(.*\)$", "", first).split(":")[0]
            if name:
                names.append(name)
    return names


def deb_version(deb):
    return subprocess.run(["dpkg-deb", "-f", deb, "Version"], capture_output=True, text=True,
                          check=True).stdout.strip()


def relabel_deb(deb, version, out_dir):
    """The same package under another version, to install first and upgrade from:
    dpkg-deb -R, Version: changed, dpkg-deb -b. The maintainer scripts then run their
    upgrade paths (prerm upgrade, postinst configure OLD-VERSION) as on a real upgrade."""
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, f"carguard_{version}_amd64.deb")
    if os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(deb):
        return out
    tmp = out_dir + "/relabel.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    subprocess.run(["dpkg-deb", "-R", deb, tmp], check=True)
    control = os.path.join(tmp, "DEBIAN", "control")
    with open(control) as f:
        text = f.read()
    with open(control, "w") as f:
        f.write(re.sub(r"^Version: .*$", f"Version: {version}", text, flags=re.M))
    subprocess.run(["dpkg-deb", "--root-owner-group", "-b", tmp, out], check=True,
                   stdout=subprocess.DEVNULL)
    shutil.rmtree(tmp)
    return out


# ---------------------------------------------------------------- the image

def image_packages(deb):
    with open(PACKAGES_FILE) as f:
        listed = [line.strip() for line in f if line.strip() and not line.lstrip().startswith("#")]
    return sorted(set(listed) | set(deb_dependencies(deb)))


def image_key(packages, kver):
    h = hashlib.sha256()
    h.update(("\n".join(packages) + "\n" + kver + "\n" + SUITE + repr(USERS)).encode())
    # The recipe: what builds and customizes the tree, and the unit baked into it.
    h.update(inspect.getsource(build_image).encode() + inspect.getsource(customize).encode())
    with open(GUEST_UNIT, "rb") as f:
        h.update(f.read())
    return h.hexdigest()[:16]


def host_sources():
    """The host's Debian sources, so the image has the versions the .deb was built
    against; mmdebstrap's default mirrors otherwise."""
    for path in ("/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"):
        if os.path.isfile(path) and re.search(r"^\s*(deb\s|Types:)", open(path).read(), re.M):
            return [path]
    return []


def customize(root, kroot, kver):
    """What turns a bootstrap into the lab's machine; none of it is carguard."""
    moddir = os.path.join(kroot, "lib", "modules", kver)
    dest = os.path.join(root, "lib", "modules", kver)
    shutil.rmtree(dest, ignore_errors=True)
    # Hard links: the modules are read-only input, and mke2fs -d copies them anyway.
    shutil.copytree(moddir, dest, symlinks=True, copy_function=_link_or_copy)
    for rel, text in {
        "etc/hostname": "carguard-lab\n",
        "etc/hosts": "127.0.0.1 localhost\n127.0.1.1 carguard-lab\n",
        "etc/fstab": "/dev/vda / ext4 rw,errors=remount-ro 0 1\n"
                     "labsrc /run/lab-src 9p trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose 0 0\n"
                     "results /run/lab 9p trans=virtio,version=9p2000.L,msize=262144 0 0\n",
        # The kernel console is the first serial port (qemu writes it to console.log);
        # the second carries TAP. Neither gets a login prompt.
        "etc/systemd/system/serial-getty@ttyS0.service": None,
        "etc/systemd/system/serial-getty@ttyS1.service": None,
        # The first boot of each run's disk gets a machine-id but asks nothing.
        "etc/systemd/system/systemd-firstboot.service": None,
        # tty1 and tty2 log in alice and bob when a scenario starts their getty.
        "etc/systemd/system/getty@tty1.service.d/autologin.conf":
            "[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin alice --noclear %I $TERM\n",
        "etc/systemd/system/getty@tty2.service.d/autologin.conf":
            "[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin bob --noclear %I $TERM\n",
        # The journal is also written to the kernel console (console.log on the host), so
        # a boot that dies before it saves its journal still leaves it behind.
        "etc/systemd/journald.conf.d/lab.conf":
            "[Journal]\nStorage=persistent\nForwardToConsole=yes\nTTYPath=/dev/ttyS0\nMaxLevelConsole=info\n",
        "etc/systemd/system/carguard-lab.service": open(GUEST_UNIT).read(),
    }.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.lexists(path):
            os.unlink(path)
        if text is None:
            os.symlink("/dev/null", path)
        else:
            with open(path, "w") as f:
                f.write(text)
    # getty@tty1 is enabled by Debian; the lab starts logins itself.
    for rel in ("etc/systemd/system/getty.target.wants/getty@tty1.service",):
        if os.path.lexists(os.path.join(root, rel)):
            os.unlink(os.path.join(root, rel))
    wants = os.path.join(root, "etc/systemd/system/multi-user.target.wants")
    os.makedirs(wants, exist_ok=True)
    link = os.path.join(wants, "carguard-lab.service")
    if not os.path.lexists(link):
        os.symlink("/etc/systemd/system/carguard-lab.service", link)
    for name, uid in USERS:
        subprocess.run(["chroot", root, "useradd", "-m", "-u", str(uid), "-s", "/bin/bash", name],
                       check=True)
    subprocess.run(["chroot", root, "passwd", "-d", "root"], check=True, stdout=subprocess.DEVNULL)
    os.makedirs(os.path.join(root, "var/log/journal"), exist_ok=True)
    # The image is shared by every boot: each gets its own machine-id at first boot.
    with open(os.path.join(root, "etc/machine-id"), "w") as f:
        f.write("uninitialized\n")


def _link_or_copy(src, dst):
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def build_image(sysdir, packages, kroot, kver, out):
    work = out + ".root"
    shutil.rmtree(work, ignore_errors=True)
    cmd = ["mmdebstrap", "--variant=apt", "--mode=root", "--format=directory",
           "--aptopt=Acquire::Check-Valid-Until \"false\"",
           "--include=" + ",".join(packages), SUITE, work, *host_sources()]
    t = time.monotonic()
    log(f"mmdebstrap {SUITE}: {len(packages)} packages (Debian archive)")
    with open(os.path.join(sysdir, "mmdebstrap.log"), "wb") as logf:
        r = subprocess.run(cmd, stdout=logf, stderr=subprocess.STDOUT)
    if r.returncode:
        raise ImageError(f"mmdebstrap failed; see {sysdir}/mmdebstrap.log")
    log(f"mmdebstrap done in {time.monotonic() - t:.1f}s")
    customize(work, kroot, kver)
    tmp = out + ".tmp"
    if os.path.exists(tmp):
        os.unlink(tmp)
    # stdout is the machine's TAP: mke2fs's "Creating regular file" goes to stderr.
    subprocess.run(["mke2fs", "-q", "-t", "ext4", "-L", "carguard-lab", "-E", "root_owner=0:0",
                    "-d", work, tmp, IMAGE_SIZE], check=True, stdout=sys.stderr)
    shutil.rmtree(work)
    os.rename(tmp, out)
    log(f"image ready in {time.monotonic() - t:.1f}s: {out}")


def prepare(build, kernel, build_initramfs):
    """{deb, image, initramfs, packages, timings}. KERNEL is the quick lab's prepare()
    result; BUILD_INITRAMFS(kroot, kver, out, modules, init) its initramfs writer."""
    sysdir = os.path.join(os.path.realpath(build), "lab", "system")
    os.makedirs(sysdir, exist_ok=True)
    missing = [t for t in ("mmdebstrap", "mke2fs", "qemu-img", "dpkg-buildpackage") if not shutil.which(t)]
    if missing:
        raise ImageError(f"missing {', '.join(missing)}: apt-get build-dep . (debian/control lists them)")
    timings = {}
    with open(os.path.join(sysdir, "prepare.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        t = time.monotonic()
        deb = build_deb(sysdir)
        timings["deb"] = round(time.monotonic() - t, 1)
        packages = image_packages(deb)
        key = image_key(packages, kernel["kver"])
        image = os.path.join(sysdir, f"image-{key}.ext4")
        t = time.monotonic()
        if not os.path.exists(image):
            for f in glob.glob(os.path.join(sysdir, "image-*.ext4")):
                os.unlink(f)
            build_image(sysdir, packages, kernel["kroot"], kernel["kver"], image)
        timings["image"] = round(time.monotonic() - t, 1)
        h = hashlib.sha256(open(INITRAMFS_INIT, "rb").read() + "\0".join(INITRAMFS_MODULES).encode()
                           + kernel["kver"].encode()).hexdigest()[:16]
        initramfs = os.path.join(sysdir, f"initramfs-{h}.cpio")
        if not os.path.exists(initramfs):
            build_initramfs(kernel["kroot"], kernel["kver"], initramfs + ".tmp",
                            modules=INITRAMFS_MODULES, init=INITRAMFS_INIT)
            os.rename(initramfs + ".tmp", initramfs)
        previous = relabel_deb(deb, deb_version(deb) + "~previous", os.path.join(sysdir, "previous"))
    return {"deb": deb, "previous_deb": previous, "image": image, "initramfs": initramfs,
            "packages": packages, "timings": timings}
