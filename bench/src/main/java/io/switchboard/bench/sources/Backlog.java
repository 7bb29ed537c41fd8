package io.switchboard.bench.sources;

/** Rows or records waiting in a source before the node starts, and the node's configuration to read them. */
interface Backlog extends AutoCloseable {

    /** Writes {@code rows} publications spread round-robin over {@code channels} channels {@code chat:src-N}. */
    void fill(int rows, int channels) throws Exception;

    /** The {@code consumers:} section of the node's YAML file that reads this backlog. */
    String yaml();

    /** Removes what {@link #fill} made (the table's schema, the topic). */
    @Override
    void close() throws Exception;

    /** The payload of publication {@code i}: a small JSON object, about 90 bytes, the shape of an order event. */
    static String payload(int i) {
        return "{\"order\":" + (100000 + i) + ",\"status\":\"placed\",\"customer\":\"c-" + (i % 997) + "\",\"total\":" + (i % 500) + ".5}";
    }
}
