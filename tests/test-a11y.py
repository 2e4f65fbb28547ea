#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a screen reader gets from Vindplaats (issue #15), read through
AT-SPI as Orca reads it: the real app on a demo store, in a D-Bus session of
its own with the accessibility bus. It unlocks, visits every page (with a
client open, and the team leader's pages), a dropdown's options and the
main menu, and fails on a control without a name, named by its class
("GtkSwitch"), with a mnemonic underscore, or with its name twice ("Save
Contact Save Contact"). It checks that Tab into a text field sends a focus
event from it, and records as a known limit (TAP TODO) that the passphrase
field is not announced as a password field. Prints TAP.

It starts an Xvfb of its own when there is one, since its key presses go
to the window with the focus, which another UI test on a shared display
could take; else it uses DISPLAY. Needs VP_APP, VP_ADMIN, dbus-run-session,
at-spi-bus-launcher, xdotool and Debian's python3-pyatspi; skips without
them."""

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PASSPHRASE = "demo-vindplaats-passphrase"
LAUNCHERS = ("/usr/libexec/at-spi-bus-launcher", "/usr/lib/at-spi2-core/at-spi-bus-launcher")


def skip(reason):
    print(f"1..0 # SKIP {reason}")
    sys.exit(0)


def prepare():
    """Runs this script again where it can work: with the system Python,
    which has pyatspi, inside a D-Bus session of its own. Returns the path
    of the accessibility bus launcher."""
    if not os.environ.get("DISPLAY") and shutil.which("Xvfb") is None:
        skip("no X display and no Xvfb")
    if importlib.util.find_spec("pyatspi") is None:
        # Debian installs python3-pyatspi for the system Python only; a
        # Python of one's own (pyenv, a venv) often comes first on PATH.
        system = "/usr/bin/python3"
        if os.path.exists(system) and os.path.realpath(sys.executable) != os.path.realpath(system):
            os.execv(system, [system, *sys.argv])
        skip("pyatspi is missing (python3-pyatspi)")
    launcher = next((path for path in LAUNCHERS if os.access(path, os.X_OK)), None)
    if launcher is None or shutil.which("dbus-run-session") is None:
        skip("at-spi2-core or dbus-run-session is missing")
    if shutil.which("xdotool") is None:
        skip("xdotool is missing")
    for name in ("VP_APP", "VP_ADMIN"):
        if not os.environ.get(name):
            print(f"Bail out! {name} is not set")
            sys.exit(1)
    if "VP_A11Y_G_DEBUG" not in os.environ:
        # A bus of our own: no screen reader of the desktop, and no other
        # test, sees this app, and nothing outlives the test. libatspi warns
        # about what GTK 4.8 lacks (a cache object): the suite's fatal
        # warnings are for the app, not for this client.
        env = {**os.environ, "VP_A11Y_G_DEBUG": os.environ.get("G_DEBUG", "")}
        env.pop("G_DEBUG", None)
        session = ["dbus-run-session", "--", sys.executable, *sys.argv]
        os.execvpe(session[0], session, env)
    return launcher


LAUNCHER = prepare()

import gi  # noqa: E402  (only inside the session made above)

gi.require_version("Atspi", "2.0")
import pyatspi  # noqa: E402
from gi.repository import Atspi, Gio, GLib  # noqa: E402

ACCESSIBLE = "org.a11y.atspi.Accessible"
R = Atspi.Role
CONTROL_ROLES = {int(role) for role in (
    R.PUSH_BUTTON, R.TOGGLE_BUTTON, R.CHECK_BOX, R.RADIO_BUTTON, R.COMBO_BOX, R.MENU_ITEM,
    R.CHECK_MENU_ITEM, R.RADIO_MENU_ITEM, R.MENU, R.LIST_ITEM, R.TABLE_CELL, R.TREE_ITEM, R.TEXT,
    R.PASSWORD_TEXT, R.ENTRY, R.SPIN_BUTTON, R.SLIDER, R.LINK, R.PAGE_TAB)}
# Toggles count even when they are no Tab stop of their own (their row
# toggles them): a screen reader still meets them inside the row.
TOGGLE_ROLES = {int(role) for role in (R.TOGGLE_BUTTON, R.CHECK_BOX, R.RADIO_BUTTON)}
if hasattr(R, "SWITCH"):
    CONTROL_ROLES.add(int(R.SWITCH))
    TOGGLE_ROLES.add(int(R.SWITCH))
TEXT_ROLES = {int(R.TEXT), int(R.PASSWORD_TEXT), int(R.ENTRY)}
# Labels and images hold nothing a screen reader could focus: their
# children, if any, are not asked for (a third of the window's nodes).
LEAF_ROLES = {int(R.LABEL), int(R.IMAGE), int(R.ICON), int(R.SEPARATOR)}
FOCUSABLE = int(Atspi.StateType.FOCUSABLE)
FOCUSED = int(Atspi.StateType.FOCUSED)
SENSITIVE = int(Atspi.StateType.SENSITIVE)

CLASS_NAME = re.compile(r"^(Gtk|Adw)|^Vp[A-Z]\w*$")
MNEMONIC = re.compile(r"_\w")
TWICE = re.compile(r"^(.+) \1$", re.S)

count = 0
failures = 0


def tap(ok, description, diagnostics=(), todo=None):
    global count, failures
    count += 1
    directive = f" # TODO {todo}" if todo else ""
    print(f"{'ok' if ok else 'not ok'} {count} - {description}{directive}")
    for line in diagnostics:
        print(f"# {line}")
    if not ok and not todo:
        failures += 1
    sys.stdout.flush()


def pump(seconds):
    """Lets D-Bus replies and AT-SPI events arrive for a while."""
    context = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not context.iteration(False):
            time.sleep(0.01)


def xdotool(*args):
    subprocess.run(["xdotool", *args], check=True, capture_output=True, timeout=30)


def plain(name):
    """A name as the test looks for it, whether or not it is fixed yet."""
    name = (name or "").replace("_", "")
    twice = TWICE.match(name)
    return twice.group(1) if twice else name


class Node:
    __slots__ = ("path", "parent", "role", "name", "states", "extents")

    def __init__(self, path, parent):
        self.path = path
        self.parent = parent
        self.role = None
        self.name = None
        self.states = (0, 0)
        self.extents = (0, 0, 0, 0)

    def has(self, state):
        return bool(self.states[state // 32] >> (state % 32) & 1)

    def role_name(self):
        return Atspi.role_get_name(Atspi.Role(self.role)) if self.role is not None else "?"

    def is_control(self):
        return self.role in CONTROL_ROLES and (self.has(FOCUSABLE) or self.role in TOGGLE_ROLES)

    def is_laid_out(self):
        """GTK 4.8 marks nothing but the window as showing. A control that
        has a size has been shown (on this page, or on one shown before);
        one that never had a size has never been on screen."""
        return self.extents[2] > 0 and self.extents[3] > 0


class Bus:
    """The app's accessible objects, read straight from the accessibility
    bus with every request of a walk in flight together. libatspi asks one
    thing at a time, and without a cache (GTK 4.8 offers none) a walk of
    the window's 2,000 nodes took seconds."""

    def __init__(self, frame):
        session = Gio.bus_get_sync(Gio.BusType.SESSION)
        address = session.call_sync("org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus", "GetAddress", None,
                                    GLib.VariantType("(s)"), Gio.DBusCallFlags.NONE, -1).unpack()[0]
        self.connection = Gio.DBusConnection.new_for_address_sync(
            address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
        self.name = frame.app.bus_name
        self.root = frame.path
        self.changed = 0.0
        pyatspi.Registry.registerEventListener(self.on_children_changed, "object:children-changed")

    def call(self, path, interface, method, args=None):
        return self.connection.call_sync(self.name, path, interface, method, args, None,
                                         Gio.DBusCallFlags.NONE, 10000).unpack()

    def fetch_name(self, node):
        if node.name is None:
            try:
                node.name = self.call(node.path, "org.freedesktop.DBus.Properties", "Get",
                                      GLib.Variant("(ss)", (ACCESSIBLE, "Name")))[0]
            except GLib.Error:
                node.name = ""
        return node.name

    def tree(self, root=None):
        """Every node of the window (or under @root): role and children of
        all; name, state and size of the controls."""
        nodes = []
        loop = GLib.MainLoop()
        pending = 0

        def request(node, interface, method, args, then):
            nonlocal pending
            pending += 1

            def done(connection, result):
                nonlocal pending
                try:
                    then(connection.call_finish(result).unpack())
                except GLib.Error:
                    pass  # a node that went away during the walk
                pending -= 1
                if pending == 0:
                    loop.quit()

            self.connection.call(self.name, node.path, interface, method, args, None,
                                 Gio.DBusCallFlags.NONE, 10000, None, done)

        def on_role(node, reply):
            node.role = reply[0]
            if node.role not in LEAF_ROLES:
                request(node, ACCESSIBLE, "GetChildren", None,
                        lambda r: [visit(child, node) for _, child in r[0]])
            if node.role in CONTROL_ROLES:
                request(node, ACCESSIBLE, "GetState", None, lambda r: setattr(node, "states", tuple(r[0])))
                request(node, "org.freedesktop.DBus.Properties", "Get", GLib.Variant("(ss)", (ACCESSIBLE, "Name")),
                        lambda r: setattr(node, "name", r[0]))
                # Window coordinates: GTK 4.8 warns on screen coordinates.
                request(node, "org.a11y.atspi.Component", "GetExtents", GLib.Variant("(u)", (1,)),
                        lambda r: setattr(node, "extents", tuple(r[0])))

        def visit(path, parent):
            node = Node(path, parent)
            nodes.append(node)
            request(node, ACCESSIBLE, "GetRole", None, lambda r: on_role(node, r))

        visit(root.path if root is not None else self.root, None)
        loop.run()
        return nodes

    def where(self, node):
        names = []
        parent = node.parent
        while parent is not None:
            if self.fetch_name(parent):
                names.append(f"{parent.role_name()} '{parent.name}'")
            parent = parent.parent
        return " / ".join(reversed(names))

    def settle(self, quiet=0.6, timeout=6.0):
        """Reads the tree once the app has added or removed no accessible
        for @quiet seconds: the page has built what it builds on demand (a
        report, a client's history)."""
        start = time.monotonic()
        while True:
            pump(0.1)
            now = time.monotonic()
            if now - max(start, self.changed) >= quiet or now - start > timeout:
                return self.tree()

    def on_children_changed(self, event):
        self.changed = time.monotonic()

    def state(self, node):
        node.states = tuple(self.call(node.path, ACCESSIBLE, "GetState")[0])
        return node

    def wait_state(self, node, state, timeout=20.0):
        end = time.monotonic() + timeout
        while not self.state(node).has(state):
            if time.monotonic() > end:
                return False
            pump(0.2)
        return True

    def ancestors(self, node):
        parent = node.parent
        while parent is not None:
            yield parent.path
            parent = parent.parent

    def action(self, node):
        self.call(node.path, "org.a11y.atspi.Action", "DoAction", GLib.Variant("(i)", (0,)))


def problem(node):
    """Why a screen reader could not say what @node is, or None."""
    if not node.is_control() or not node.is_laid_out():
        return None
    name = node.name or ""
    if not name.strip():
        return "has no name"
    if CLASS_NAME.search(name):
        return "is named by its class"
    if MNEMONIC.search(name):
        return "has a mnemonic underscore"
    if TWICE.match(name):
        return "says its name twice"
    return None


def offenders(bus, nodes):
    found = {}
    for node in nodes:
        why = problem(node)
        if why is not None:
            found[f"{node.role_name()} '{node.name}' {why}, in {bus.where(node)}"] = node
    return found


def named(role, name):
    return lambda node: node.role == int(role) and plain(node.name) == name


class App:
    def __init__(self, directory):
        store = os.path.join(directory, "store")
        subprocess.run([os.environ["VP_ADMIN"], "--dir", store, "demo-store"], input=PASSPHRASE + "\n",
                       text=True, check=True, stdout=subprocess.DEVNULL, timeout=60)
        env = dict(os.environ)
        # The test suite turns GTK's accessibility bridge off; here it runs.
        for name in ("NO_AT_BRIDGE", "GTK_A11Y", "VP_A11Y_G_DEBUG"):
            env.pop(name, None)
        if os.environ["VP_A11Y_G_DEBUG"]:
            env["G_DEBUG"] = os.environ["VP_A11Y_G_DEBUG"]
        env["GDK_BACKEND"] = "x11"
        self.log_path = os.path.join(directory, "app.log")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen([os.environ["VP_APP"], "--store-dir", store], env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)

    def frame(self, timeout=20.0):
        """The window's accessible, once the app is on the bus."""
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.alive():
            desktop = Atspi.get_desktop(0)
            for i in range(desktop.get_child_count()):
                app = desktop.get_child_at_index(i)
                try:
                    if app is None or app.get_process_id() != self.process.pid:
                        continue
                    for j in range(app.get_child_count()):
                        frame = app.get_child_at_index(j)
                        if frame.get_role() == Atspi.Role.FRAME:
                            return frame
                except GLib.Error:
                    pass
            pump(0.2)
        return None

    def focus_window(self):
        window = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--pid", str(self.process.pid)],
                                capture_output=True, text=True, timeout=20).stdout.split()[0]
        xdotool("windowsize", window, "1280", "720")
        xdotool("windowmove", window, "0", "0")
        xdotool("windowfocus", "--sync", window)

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def tail(self):
        return tail(self.log_path)


def tail(path):
    if not os.path.exists(path):
        return []
    with open(path, errors="replace") as log:
        return log.read().splitlines()[-20:]


def unlock(bus):
    """Types the passphrase into the password field found through AT-SPI
    (it has the focus; GTK 4.8 offers no EditableText to set it), checks
    how the field is announced, and presses the Unlock button's action."""
    nodes = bus.tree()
    field = next((n for n in nodes if n.role in TEXT_ROLES and plain(n.name) == "Passphrase"), None)
    button = next((n for n in nodes if named(R.PUSH_BUTTON, "Unlock")(n)), None)
    locks = [n for n in nodes if named(R.PUSH_BUTTON, "Lock")(n)]
    if field is None or button is None or not locks:
        return "no passphrase field, Unlock button or Lock button"
    xdotool("type", "--delay", "10", PASSPHRASE)
    # A screen reader speaks what is typed unless the field is announced as
    # a password field. libadwaita 1.2's password row is announced as plain
    # text (GTK gives the password role to GtkPasswordEntry alone).
    roles = {n.role_name() for n in nodes
             if n.path == field.path or (n.role in TEXT_ROLES and field.path in bus.ancestors(n))}
    password = roles == {"password text"}
    tap(password, "the passphrase field is announced as a password field",
        [] if password else [f"it is announced as {', '.join(sorted(roles))}"],
        todo="libadwaita 1.2's AdwPasswordEntryRow has no password role (see README)")
    bus.action(button)
    # The Lock buttons turn sensitive once the store is open.
    return None if bus.wait_state(locks[0], SENSITIVE) else "the store did not unlock"


PAGES = [
    ("Register", ["alt+1"]),
    ("Clients, with a client open", ["alt+2", "Return"]),
    ("Today", ["alt+3"]),
    ("Report", ["alt+4"]),
    ("Team", ["alt+5"]),
    ("Audit log", ["alt+6"]),
    ("Referral review", ["alt+7"]),
]


def keys(*names):
    for name in names:
        xdotool("key", name)
        pump(0.2)


def check_page(bus, title, page_keys, seen):
    """Checks every control of the window that is or has been on screen
    (see Node.is_laid_out): the page shown, and those shown before."""
    keys(*page_keys)
    nodes = bus.settle()
    found = offenders(bus, nodes)
    new = [line for line in found if line not in seen]
    seen.update(found)
    old = len(found) - len(new)
    checked = sum(1 for node in nodes if node.is_control() and node.is_laid_out())
    tap(checked and not found, f"{title}: each of {checked} controls has a name a screen reader can say",
        new + ([f"and {old} listed above"] if old else []))


def check_popup(bus, title, open_keys, role):
    """Opens a popup (a dropdown's options, the main menu) and checks the
    controls of @role it brings."""
    before = {n.path for n in bus.tree()}
    keys(*open_keys)
    nodes = bus.settle(timeout=4.0)
    keys("Escape")
    items = [n for n in nodes if n.role == int(role) and n.path not in before]
    if not items:
        tap(False, f"{title}: its items have names", ["the popup did not open"])
        return
    found = offenders(bus, items)
    tap(not found, f"{title}: its {len(items)} items have names a screen reader can say", list(found))


def check_text_focus(bus):
    """Tab from the last dropdown of the Register form into the client label
    field must send a focus event from a text field of that name, inside
    the field (GTK 4.8 sent it from a nameless part of the row)."""
    title = "Tab into the client label field sends a focus event from it"
    events = []

    def listener(event):
        try:
            events.append((event.type, event.source.path, int(event.source.get_role()),
                           plain(event.source.get_name()), event.detail1))
        except GLib.Error:
            pass

    keys("alt+1")
    nodes = bus.settle()
    location = next((n for n in nodes if named(R.COMBO_BOX, "Location")(n)), None)
    stage = next((n for n in nodes if named(R.COMBO_BOX, "Stage of the problems")(n)), None)
    field = next((n for n in nodes if n.role in TEXT_ROLES and plain(n.name) == "Client label"), None)
    if location is None or stage is None or field is None:
        tap(False, title, ["no Location or Stage dropdown or Client label field"])
        return
    # Location has the focus after Alt+1; three Tabs reach Stage.
    if not bus.wait_state(location, FOCUSED):
        tap(False, title, ["Location does not have the focus after Alt+1"])
        return
    keys("Tab", "Tab", "Tab")
    if not bus.wait_state(stage, FOCUSED):
        tap(False, title, ["three Tabs do not reach Stage"])
        return
    kinds = ("object:state-changed:focused", "focus:")
    pyatspi.Registry.registerEventListener(listener, *kinds)
    try:
        keys("Tab")
        pump(1.5)
    finally:
        pyatspi.Registry.deregisterEventListener(listener, *kinds)
    inside = {n.path for n in bus.tree(field)}
    arrived = [e for e in events if e[1] in inside and e[2] in TEXT_ROLES and e[3] == "Client label" and e[4] == 1]
    tap(bool(arrived), title, [] if arrived else [
        f"{t} from {Atspi.role_get_name(Atspi.Role(r))} '{n}' ({'inside' if p in inside else 'outside'} the field)"
        for t, p, r, n, _ in events] or ["no focus event at all"])


def start_display(directory):
    """An Xvfb of our own, or None to use DISPLAY as it is."""
    if shutil.which("Xvfb") is None:
        return None
    read, write = os.pipe()
    with open(os.path.join(directory, "xvfb.log"), "wb") as log:
        # -noreset: a server that resets when its last client leaves (the
        # bus launcher, say) refuses the next one for a moment.
        server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-noreset", "-screen", "0", "1366x768x24",
                                   "-nolisten", "tcp"],
                                  pass_fds=(write,), stdout=log, stderr=subprocess.STDOUT)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        server.wait()
        return None
    os.environ["DISPLAY"] = f":{number}"
    os.environ.pop("XAUTHORITY", None)
    return server


def main():
    directory = tempfile.mkdtemp(prefix="vp-a11y-")
    display = start_display(directory)
    if display is None and not os.environ.get("DISPLAY"):
        print("Bail out! Xvfb did not start")
        return 1
    launcher = subprocess.Popen([LAUNCHER, "--launch-immediately"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app = None
    started = time.monotonic()
    print(f"1..{3 + len(PAGES) + 3}")
    try:
        app = App(directory)
        frame = app.frame()
        if frame is None:
            print("Bail out! the app did not appear on the accessibility bus")
            for line in app.tail() + tail(os.path.join(directory, "xvfb.log")):
                print(f"# {line}")
            return 1
        print(f"# GTK {frame.get_application().get_toolkit_version()}")
        bus = Bus(frame)
        app.focus_window()
        seen = {}
        check_page(bus, "Unlock page", [], seen)
        why = unlock(bus)
        tap(why is None, "unlock through AT-SPI", [why, *app.tail()] if why else [])
        if why is not None:
            return 1
        for title, page_keys in PAGES:
            check_page(bus, title, page_keys, seen)
        # The Register form's first dropdown has the focus after Alt+1.
        keys("alt+1")
        check_popup(bus, "The Location dropdown", ["Return"], R.LIST_ITEM)
        check_popup(bus, "The main menu", ["F10"], R.MENU_ITEM)
        check_text_focus(bus)
        if not app.alive():
            print("Bail out! the app has quit")
            for line in app.tail():
                print(f"# {line}")
            return 1
        print(f"# {time.monotonic() - started:.1f} s")
    finally:
        if app is not None:
            app.stop()
        launcher.terminate()
        launcher.wait()
        if display is not None:
            display.terminate()
            display.wait()
        shutil.rmtree(directory, ignore_errors=True)
    return 1 if failures else 0


sys.exit(main())
