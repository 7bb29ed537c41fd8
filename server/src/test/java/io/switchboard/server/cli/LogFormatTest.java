package io.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LogFormatTest {

    @Test
    void jsonFormatWritesOneObjectPerLineWithTheSessionPair() throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        var previous = LogFormat.useJson();
        try {
            Logger log = LoggerFactory.getLogger("io.switchboard.server.session.Session");
            log.atInfo().addKeyValue("session", "abc123").log("session {} closed: slow consumer", "abc123");
            log.info("a line about the node");
        } finally {
            LogFormat.restore(previous);
            System.setErr(err);
        }
        String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertThat(lines).hasSize(2);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines[0]);
        assertThat(first.path("level").asText()).isEqualTo("INFO");
        assertThat(first.path("loggerName").asText()).isEqualTo("io.switchboard.server.session.Session");
        assertThat(first.path("formattedMessage").asText()).isEqualTo("session abc123 closed: slow consumer");
        assertThat(first.path("kvpList").get(0).path("session").asText()).isEqualTo("abc123");
        assertThat(json.readTree(lines[1]).path("formattedMessage").asText()).isEqualTo("a line about the node");
    }
}
