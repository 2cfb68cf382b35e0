# SPDX-License-Identifier: LGPL-2.1-or-later
"""Just enough OBEX (IrOBEX 1.5 over RFCOMM) for the lab's car to pull a phonebook
and a message listing and push a file, and for the lab's phone to answer."""

import struct
import uuid

PBAP_TARGET = uuid.UUID("796135f0-f0c5-11d8-0966-0800200c9a66").bytes
MAP_MAS_TARGET = uuid.UUID("bb582b40-420c-11db-b0de-0800200c9a66").bytes

CONNECT, DISCONNECT, PUT, GET, SETPATH = 0x80, 0x81, 0x02, 0x03, 0x85
FINAL = 0x80
CONTINUE, SUCCESS, BAD_REQUEST, FORBIDDEN, NOT_FOUND = 0x90, 0xA0, 0xC0, 0xC3, 0xC4

NAME, TYPE, LENGTH, TARGET, WHO, BODY, END_OF_BODY, CONNECTION_ID, APP_PARAMS = (
    0x01, 0x42, 0xC3, 0x46, 0x4A, 0x48, 0x49, 0xCB, 0x4C)

MAX_PACKET = 0x1000


class ObexError(Exception):
    pass


def header(hid, value):
    kind = hid & 0xC0
    if kind == 0x00:  # null-terminated UTF-16BE text
        data = (value + "\0").encode("utf-16-be") if value else b""
        return struct.pack(">BH", hid, 3 + len(data)) + data
    if kind == 0x40:  # byte sequence
        return struct.pack(">BH", hid, 3 + len(value)) + value
    if kind == 0x80:
        return struct.pack(">BB", hid, value)
    return struct.pack(">BI", hid, value)


def parse_headers(data):
    """{hid: value}; text as str, bytes as bytes, ints as int. Raises on truncation."""
    out = {}
    i = 0
    while i < len(data):
        hid = data[i]
        kind = hid & 0xC0
        if kind in (0x00, 0x40):
            if i + 3 > len(data):
                raise ObexError("truncated header")
            (length,) = struct.unpack(">H", data[i + 1:i + 3])
            if length < 3 or i + length > len(data):
                raise ObexError("bad header length")
            raw = data[i + 3:i + length]
            out[hid] = raw.decode("utf-16-be", "replace").rstrip("\0") if kind == 0 else raw
            i += length
        elif kind == 0x80:
            out[hid] = data[i + 1]
            i += 2
        else:
            (out[hid],) = struct.unpack(">I", data[i + 1:i + 5])
            i += 5
    return out


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ObexError("connection closed")
        buf += chunk
    return buf


def recv_packet(sock):
    """(code, body bytes after the 3-byte prefix)."""
    head = recv_exact(sock, 3)
    code, length = struct.unpack(">BH", head)
    if length < 3:
        raise ObexError("bad packet length")
    return code, recv_exact(sock, length - 3)


def send_packet(sock, code, payload=b""):
    sock.sendall(struct.pack(">BH", code, 3 + len(payload)) + payload)


# ---------------------------------------------------------------- client

class Client:
    def __init__(self, sock):
        self.sock = sock
        self.connection_id = None

    def connect(self, target=None):
        payload = struct.pack(">BBH", 0x10, 0, MAX_PACKET)
        if target:
            payload += header(TARGET, target)
        send_packet(self.sock, CONNECT, payload)
        code, body = recv_packet(self.sock)
        if code != SUCCESS:
            raise ObexError(f"CONNECT answered 0x{code:02x}")
        headers = parse_headers(body[4:])
        self.connection_id = headers.get(CONNECTION_ID)
        return headers

    def _conn_header(self):
        return header(CONNECTION_ID, self.connection_id) if self.connection_id is not None else b""

    def get(self, name, mime):
        """The whole object; raises ObexError on a refusal."""
        payload = self._conn_header() + header(NAME, name) + header(TYPE, mime.encode() + b"\0")
        data = b""
        while True:
            send_packet(self.sock, GET | FINAL, payload)
            code, body = recv_packet(self.sock)
            headers = parse_headers(body)
            data += headers.get(BODY, b"") + headers.get(END_OF_BODY, b"")
            if code == SUCCESS:
                return data
            if code != CONTINUE:
                raise ObexError(f"GET {mime} answered 0x{code:02x}")
            payload = self._conn_header()

    def put(self, name, mime, data):
        payload = (self._conn_header() + header(NAME, name) + header(TYPE, mime.encode() + b"\0")
                   + header(LENGTH, len(data)) + header(END_OF_BODY, data))
        send_packet(self.sock, PUT | FINAL, payload)
        code, _ = recv_packet(self.sock)
        if code != SUCCESS:
            raise ObexError(f"PUT answered 0x{code:02x}")

    def disconnect(self):
        send_packet(self.sock, DISCONNECT, self._conn_header())
        try:
            recv_packet(self.sock)
        except (ObexError, OSError):
            pass


# ---------------------------------------------------------------- server

def serve(sock, target, objects, on_event):
    """Answers one OBEX session on SOCK until DISCONNECT or EOF. OBJECTS maps a MIME
    type to a function (name) -> bytes or None (not found). ON_EVENT(dict) hears
    about every request served."""
    peer_max = 255
    body_chunk = b""
    put_name, put_data = None, b""
    while True:
        try:
            code, body = recv_packet(sock)
        except (ObexError, OSError):
            return
        op = code & 0x7F
        if code == CONNECT:
            peer_max = max(255, struct.unpack(">H", body[2:4])[0]) if len(body) >= 4 else 255
            headers = parse_headers(body[4:])
            if target and headers.get(TARGET) != target:
                on_event({"event": "obex-connect", "ok": False})
                send_packet(sock, BAD_REQUEST)
                continue
            reply = struct.pack(">BBH", 0x10, 0, MAX_PACKET)
            if target:
                reply += header(CONNECTION_ID, 1) + header(WHO, target)
            on_event({"event": "obex-connect", "ok": True})
            send_packet(sock, SUCCESS, reply)
        elif code == DISCONNECT:
            send_packet(sock, SUCCESS)
            on_event({"event": "obex-disconnect"})
            return
        elif op == GET:
            if not body_chunk:
                headers = parse_headers(body)
                mime = headers.get(TYPE, b"").rstrip(b"\0").decode(errors="replace")
                name = headers.get(NAME, "")
                maker = objects.get(mime)
                data = maker(name) if maker else None
                if data is None:
                    on_event({"event": "obex-get", "type": mime, "name": name, "ok": False})
                    send_packet(sock, NOT_FOUND)
                    continue
                on_event({"event": "obex-get", "type": mime, "name": name, "ok": True, "bytes": len(data)})
                body_chunk = data
            room = min(peer_max, MAX_PACKET) - 16
            piece, body_chunk = body_chunk[:room], body_chunk[room:]
            if body_chunk:
                send_packet(sock, CONTINUE, header(BODY, piece))
            else:
                send_packet(sock, SUCCESS, header(END_OF_BODY, piece))
        elif op == PUT:
            headers = parse_headers(body)
            put_name = headers.get(NAME, put_name)
            put_data += headers.get(BODY, b"") + headers.get(END_OF_BODY, b"")
            if code & FINAL:
                on_event({"event": "obex-put", "name": put_name, "bytes": len(put_data)})
                put_name, put_data = None, b""
                send_packet(sock, SUCCESS)
            else:
                send_packet(sock, CONTINUE)
        elif code == SETPATH:
            send_packet(sock, SUCCESS)
        else:
            send_packet(sock, BAD_REQUEST)
