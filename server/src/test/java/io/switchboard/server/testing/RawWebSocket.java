package io.switchboard.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket, byte by byte, for RFC-level tests: it writes any handshake
 * (any version, any headers, any HTTP version) and any frame (reserved bits, reserved opcodes,
 * unmasked, fragmented, several frames in one TCP write), and reads the server's frames as they are
 * on the wire. Nothing is checked on the way out; what comes back is checked by {@link #next}.
 */
public final class RawWebSocket implements AutoCloseable {

    public static final int TEXT = 1;
    public static final int BINARY = 2;
    public static final int CONTINUATION = 0;
    public static final int CLOSE = 8;
    public static final int PING = 9;
    public static final int PONG = 10;

    /** One frame as the server sent it. */
    public record Frame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame; 1005 when it has none. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }

        @Override
        public String toString() {
            return "frame op=" + opcode + (fin ? "" : " (not fin)") + " " + (opcode == CLOSE ? "close " + closeCode()
                    : opcode == TEXT ? text() : payload.length + " bytes");
        }
    }

    /** The handshake answer: status line, headers (names lower-cased) and body. */
    public record Response(int status, Map<String, String> headers, String body) {
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    public Response handshake;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
    }

    /** A version-13 upgrade to {@code /ws}; the node must admit anonymous connections. */
    public static RawWebSocket open(int port) throws IOException {
        return open(port, null);
    }

    /** A version-13 upgrade to {@code /ws} with {@code token} (null: none). */
    public static RawWebSocket open(int port, String token) throws IOException {
        RawWebSocket ws = request(port, upgradeRequest(port, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token)));
        if (ws.handshake.status() != 101) {
            throw new IOException("upgrade refused: " + ws.handshake);
        }
        return ws;
    }

    /** Sends {@code request} as it is and reads the HTTP answer (the body too, when it has a length). */
    public static RawWebSocket request(int port, String request) throws IOException {
        RawWebSocket ws = new RawWebSocket(new Socket("127.0.0.1", port));
        ws.out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        ws.out.flush();
        ws.handshake = ws.readResponse();
        return ws;
    }

    /**
     * Sends {@code prefix} (a PROXY header, say) and then {@code request} on a socket the caller connected,
     * from a local address of its choice, and reads the HTTP answer.
     */
    public static RawWebSocket request(Socket socket, byte[] prefix, String request) throws IOException {
        RawWebSocket ws = new RawWebSocket(socket);
        ws.out.write(prefix);
        ws.out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        ws.out.flush();
        ws.handshake = ws.readResponse();
        return ws;
    }

    /** A valid version-13 upgrade request; {@code changes} replace headers (a null value removes one). */
    public static String upgradeRequest(int port, Map<String, String> changes) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", "127.0.0.1:" + port);
        h.put("Upgrade", "websocket");
        h.put("Connection", "Upgrade");
        h.put("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        h.put("Sec-WebSocket-Version", "13");
        String line = "GET /ws HTTP/1.1";
        for (Map.Entry<String, String> e : changes.entrySet()) {
            if (e.getKey().equals("request-line")) {
                line = e.getValue();
            } else if (e.getValue() == null) {
                h.remove(e.getKey());
            } else {
                h.put(e.getKey(), e.getValue());
            }
        }
        StringBuilder b = new StringBuilder(line).append("\r\n");
        h.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
        return b.append("\r\n").toString();
    }

    private Response readResponse() throws IOException {
        String status = line();
        if (status == null) {
            throw new EOFException("no HTTP answer");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String l;
        while ((l = line()) != null && !l.isEmpty()) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
        }
        String body = "";
        String length = headers.get("content-length");
        if (length != null) {
            byte[] b = new byte[Integer.parseInt(length)];
            in.readFully(b);
            body = new String(b, StandardCharsets.UTF_8);
        }
        return new Response(Integer.parseInt(status.split(" ")[1]), headers, body);
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                return b.toString();
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.length() == 0 ? null : b.toString();
    }

    // ---- frames out -------------------------------------------------------------------------------

    /** One frame's bytes, masked with a random key unless {@code masked} is false. */
    public static byte[] frame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(payload.length + 14);
        b.write((fin ? 0x80 : 0) | (rsv & 7) << 4 | (opcode & 0xf));
        int m = masked ? 0x80 : 0;
        if (payload.length < 126) {
            b.write(m | payload.length);
        } else if (payload.length < 65536) {
            b.write(m | 126);
            b.write(payload.length >>> 8);
            b.write(payload.length);
        } else {
            b.write(m | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                b.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] key = new byte[4];
        if (masked) {
            ThreadLocalRandom.current().nextBytes(key);
            b.writeBytes(key);
        }
        for (int i = 0; i < payload.length; i++) {
            b.write(payload[i] ^ key[i & 3]);
        }
        return b.toByteArray();
    }

    public static byte[] frame(int opcode, byte[] payload) {
        return frame(true, 0, opcode, true, payload);
    }

    public static byte[] text(String s) {
        return frame(TEXT, s.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] close(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        return frame(CLOSE, p);
    }

    /** Writes all the given frames in one write, so that they usually arrive in one TCP segment. */
    public void send(byte[]... frames) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            b.writeBytes(f);
        }
        out.write(b.toByteArray());
        out.flush();
    }

    // ---- frames in --------------------------------------------------------------------------------

    /** The next frame from the server; null when the server closed the TCP connection. */
    public Frame next() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] key = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        if (key != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= key[i & 3];
            }
        }
        return new Frame((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0xf, key != null, payload);
    }

    /**
     * Frames until the server's close frame, or until the TCP connection ends, or until {@code
     * stopAt} matches a frame; the matching frame is the last one in the list. Reading stops with the
     * socket timeout (10 s) when none of these comes.
     */
    public List<Frame> readUntil(java.util.function.Predicate<Frame> stopAt) throws IOException {
        List<Frame> got = new ArrayList<>();
        Frame f;
        try {
            while ((f = next()) != null) {
                got.add(f);
                if (f.opcode() == CLOSE || stopAt.test(f)) {
                    break;
                }
            }
        } catch (SocketTimeoutException | java.net.SocketException | EOFException e) {
            // the answer is what came so far
        }
        return got;
    }

    /** True when the server closes the TCP connection within the socket timeout (after what it still sends). */
    public boolean serverClosesSocket() throws IOException {
        try {
            while (in.read() != -1) {
                // discard
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true; // reset
        }
    }

    public void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
