package io.switchboard.bench.sources;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/sources at toy size: a 600-row outbox backlog in the machine's PostgreSQL and a 600-record Kafka
 * backlog on a broker of the run's own, each read by a node process (run from this module's class path) on
 * the memory engine. It checks that the instrument counts: every row and record published once by the node,
 * nothing moved aside, no failure, and the report written. Speeds are not checked here.
 */
class SourcesSmokeIT {

    @TempDir
    Path out;

    @Test
    void aTinyRunPublishesEveryRowAndRecordAndWritesTheReport() throws Exception {
        SourcesMain main = new SourcesMain();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        main.launcher = List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.switchboard.server.cli.Main");
        main.kafkaClassPath = System.getProperty("java.class.path");
        main.root = Path.of("..");
        main.out = out;
        main.sources = List.of("outbox", "kafka");
        main.engines = List.of("memory");
        main.rows = 600;
        main.channels = 3;
        main.partitions = 2;
        main.batchSize = 100;
        main.pgUrl = "jdbc:postgresql://127.0.0.1:5432/test";
        main.pgUser = "postgres";

        assertThat(main.call()).isZero();

        assertThat(main.results).extracting(SourceRun.Result::source).containsExactly("outbox", "kafka");
        for (SourceRun.Result r : main.results) {
            assertThat(r.total()).as(r.source() + ": every row or record published once").isEqualTo(600);
            assertThat(r.deadLetters()).as(r.source() + ": moved aside").isZero();
            assertThat(r.errors()).as(r.source() + ": failures").isZero();
        }
        String md = Files.readString(out.resolve("results.md"));
        assertThat(md).contains("| outbox | memory | ").contains("| kafka | memory | ");
    }
}
