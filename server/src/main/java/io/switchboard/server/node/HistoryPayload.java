package io.switchboard.server.node;

import io.switchboard.protocol.EnvelopeEncoder;
import io.switchboard.server.engine.HistoryResult;
import io.switchboard.server.engine.PresenceEntry;
import io.switchboard.server.engine.PresencePage;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.util.Json;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The ack payloads of {@code history} and {@code presence}; stored payloads are copied in raw. */
public final class HistoryPayload {

    private HistoryPayload() {
    }

    /** An upper bound on a string's size in JSON: UTF-8, with every character possibly escaped. */
    private static long escapedBytes(String s) {
        return s == null ? 0 : 2L * s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** Per-publication JSON besides the payload (offset, ts, from, punctuation), counted generously. */
    private static final int ENTRY_OVERHEAD = 160;

    /**
     * The history ack: as many publications as fit in {@code budget} bytes (at least one), and
     * {@code "more": true} when some were left out, so that the reply never outgrows the frame limit.
     */
    public static byte[] of(HistoryResult h, int budget) {
        List<Publication> fit = new java.util.ArrayList<>();
        long used = 0;
        for (Publication p : h.publications()) {
            // A binary payload goes out in base64: a third larger.
            int n = p.payload().length;
            long payloadSize = io.switchboard.protocol.JsonPayloads.isJson(p.payload()) ? n : (n + 2L) / 3 * 4;
            long size = payloadSize + ENTRY_OVERHEAD + escapedBytes(p.from());
            if (!fit.isEmpty() && used + size > budget) {
                break;
            }
            fit.add(p);
            used += size;
        }
        boolean more = fit.size() < h.publications().size();
        return Json.object(g -> {
            g.writeStringField("epoch", h.epoch());
            g.writeNumberField("offset", h.offset());
            g.writeNumberField("earliest", h.earliest());
            if (more) {
                g.writeBooleanField("more", true);
            }
            g.writeArrayFieldStart("publications");
            for (Publication p : fit) {
                g.writeStartObject();
                g.writeNumberField("offset", p.offset());
                g.writeNumberField("ts", p.timestamp());
                if (p.from() != null) {
                    g.writeStringField("from", p.from());
                }
                writePayload(g, p.payload());
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    /**
     * A publication's payload in a JSON document: as it is when it is JSON, else (a binary payload published
     * over the binary subprotocol) in base64 as {@code payloadBase64} (protocol.md 3.6).
     */
    public static void writePayload(com.fasterxml.jackson.core.JsonGenerator g, byte[] payload) throws java.io.IOException {
        if (io.switchboard.protocol.JsonPayloads.isJson(payload)) {
            g.writeFieldName("payload");
            g.writeRawValue(EnvelopeEncoder.raw(payload));
        } else {
            g.writeStringField("payloadBase64", io.switchboard.protocol.JsonPayloads.base64(payload));
        }
    }

    /**
     * The presence ack: every distinct user counted in {@code users}, and as many connections as fit
     * in {@code budget} bytes listed in {@code clients}, with {@code "more": true} when some were left
     * out, so that the reply never outgrows the frame limit.
     */
    public static byte[] presence(List<PresenceEntry> entries, int budget) {
        Set<String> users = new HashSet<>();
        List<PresenceEntry> fit = new java.util.ArrayList<>();
        long used = 0;
        for (PresenceEntry e : entries) {
            users.add(e.userId());
            long size = entrySize(e);
            if (used + size <= budget) {
                fit.add(e);
                used += size;
            }
        }
        boolean more = fit.size() < entries.size();
        return Json.object(g -> {
            if (more) {
                g.writeBooleanField("more", true);
            }
            writeClients(g, fit);
            g.writeNumberField("users", users.size());
        });
    }

    /**
     * A page of presence: as many of the page's connections as fit in {@code budget} bytes (at least one),
     * the channel's {@code users} and {@code connections}, and a {@code cursor} (with {@code "more": true})
     * when the channel has connections after the last one listed.
     */
    public static byte[] presencePage(String channel, PresencePage page, int budget) {
        List<PresenceEntry> fit = new java.util.ArrayList<>();
        long used = 0;
        for (PresenceEntry e : page.entries()) {
            long size = entrySize(e);
            if (!fit.isEmpty() && used + size > budget) {
                break;
            }
            fit.add(e);
            used += size;
        }
        String next = fit.size() < page.entries().size() ? fit.get(fit.size() - 1).clientId() : page.next();
        return Json.object(g -> {
            if (next != null) {
                g.writeBooleanField("more", true);
                g.writeStringField("cursor", PresenceCursor.of(channel, next));
            }
            writeClients(g, fit);
            g.writeNumberField("users", page.users());
            g.writeNumberField("connections", page.clients());
        });
    }

    /** An upper bound on one connection's bytes in a presence answer. */
    private static long entrySize(PresenceEntry e) {
        return ENTRY_OVERHEAD + e.clientId().length() + escapedBytes(e.userId()) + (e.info() == null ? 0 : e.info().length);
    }

    /** The {@code clients} array of a presence answer; each {@code info} is written as the raw bytes it came as. */
    private static void writeClients(com.fasterxml.jackson.core.JsonGenerator g, List<PresenceEntry> fit) throws java.io.IOException {
        g.writeArrayFieldStart("clients");
        for (PresenceEntry e : fit) {
            g.writeStartObject();
            g.writeStringField("clientId", e.clientId());
            g.writeStringField("userId", e.userId());
            if (e.info() != null) {
                g.writeFieldName("info");
                g.writeRawValue(EnvelopeEncoder.raw(e.info()));
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}
