package io.switchboard.server.engine.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** A Lua script from the resources, without its comment lines and indentation (sent with every EVAL). */
record Script(String source) {

    static Script load(String name) {
        try (InputStream in = Script.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            String src = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            StringBuilder lean = new StringBuilder(src.length());
            for (String line : src.split("\n")) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("--")) {
                    lean.append(t).append('\n');
                }
            }
            return new Script(lean.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot load " + name, e);
        }
    }
}
