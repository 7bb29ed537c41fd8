package io.switchboard.server.transport;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Files under the classpath folder {@code web/}, served at the HTTP root. Loaded on first request and
 * kept in memory (they are a few kilobytes). Only names of the form {@code /name.ext} are looked up, so
 * no path can leave the folder.
 */
final class StaticAssets {

    record Asset(byte[] body, String contentType) {
    }

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json");

    private final Map<String, Asset> cache = new ConcurrentHashMap<>();

    /** The asset for a request path, or null. */
    Asset find(String path) {
        String name = path.equals("/") ? "index.html" : path.substring(1);
        if (!name.matches("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*\\.[a-z0-9]+")) {
            return null;
        }
        return cache.computeIfAbsent(name, StaticAssets::load);
    }

    private static Asset load(String name) {
        String ext = name.substring(name.lastIndexOf('.') + 1);
        String type = TYPES.get(ext);
        if (type == null) {
            return null;
        }
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream("web/" + name)) {
            return in == null ? null : new Asset(in.readAllBytes(), type);
        } catch (IOException e) {
            return null;
        }
    }
}
