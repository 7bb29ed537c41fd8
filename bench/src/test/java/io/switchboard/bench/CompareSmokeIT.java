package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.switchboard.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole comparison at toy size (tens of connections, a few seconds per scenario): every adapter
 * against its real server, every scenario, the accounting, the table and the charts. It checks that the
 * harness works, never how fast anything is. The node runs from this module's classpath; the peers need
 * Node and the packages of bench/peers, which are installed from the lockfile ({@code npm ci
 * --prefer-offline}, about two seconds) when missing.
 */
class CompareSmokeIT {

    static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();

    @TempDir
    Path out;

    @BeforeAll
    static void installPeers() throws Exception {
        Tools.path("node"); // the peers' servers run on it
        Tools.npmCi(ROOT.resolve("bench/peers"), "socket.io", "ws");
    }

    /** The node from this module's classpath, the peers from bench/peers, the generators in this process. */
    private static Compare.Launcher launcher() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> node = List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.switchboard.server.cli.Main");
        return new Compare.Launcher() {
            @Override
            public List<String> serverCommand(Target t, int port, String secret) {
                return Launchers.command(t, ROOT, node, port, secret);
            }

            @Override
            public WorkerHandle worker(WorkerSpec spec, Path log) {
                return WorkerHandle.inProcess(spec);
            }
        };
    }

    @Test
    void repeatedScenariosRunInPairsThatTakeTurnsAndAreJudgedTogether() throws Exception {
        Settings s = Settings.smoke();
        s.repeat = 2;
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        List<Target> targets = List.of(Target.SWITCHBOARD, Target.WS);
        List<ScenarioRun> runs = new Compare(s, launcher(), out, new PrintStream(progress, true, StandardCharsets.UTF_8),
                targets, List.of(Scenario.FANOUT, Scenario.CAPACITY)).run();
        new Report(runs, targets, s, Map.of("machine", "smoke test")).write(out);

        // fanout twice against each, Switchboard first and then ws first; capacity once each
        assertThat(runs).extracting(r -> r.target + " " + r.scenario + " " + r.repetition).containsExactly(
                "switchboard fanout 1", "ws fanout 1", "ws fanout 2", "switchboard fanout 2", "switchboard capacity 1", "ws capacity 1");
        for (ScenarioRun r : runs.subList(0, 4)) {
            assertThat(r.received).as(r.target + " " + r.repetition).isGreaterThanOrEqualTo(r.expected * 9 / 10).isPositive();
        }
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("[3/6] ws fanout (2 of 2)", "[6/6] ws capacity\n");
        // each run keeps its own logs
        assertThat(out.resolve("logs/switchboard-fanout-server.log")).exists();
        assertThat(out.resolve("logs/switchboard-fanout-2-server.log")).exists();
        String md = Files.readString(out.resolve("results.md"));
        assertThat(md).contains("| Switchboard #1 |", "| ws #2 |", "ran 2 times against each server (--repeat)");
        assertThat(md.lines().filter(l -> l.startsWith("| server CPU s per million deliveries, fanout"))).singleElement()
                .asString().contains("the median of 2 pairs");
    }

    @Test
    void everyScenarioRunsAgainstEveryServerAndIsAccountedFor() throws Exception {
        Settings s = Settings.smoke();
        Compare.Launcher launcher = launcher();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        List<Target> targets = List.of(Target.values());
        List<ScenarioRun> runs = new Compare(s, launcher, out, new PrintStream(progress, true, StandardCharsets.UTF_8),
                targets, List.of(Scenario.values())).run();
        new Report(runs, targets, s, Map.of("machine", "smoke test")).write(out);

        // 6 scenarios on 3 servers and on Switchboard's Protobuf and deflate variants, the 2 presence ones on
        // Switchboard only, idle, fanout, connect, capacity and cold on its Pusher door
        assertThat(runs).hasSize(37);
        for (ScenarioRun r : runs) {
            String what = r.target + " " + r.scenario + " (" + r.firstFailure + ")";
            assertThat(r.failed).as(what).isZero();
            switch (Scenario.of(r.scenario)) {
                case IDLE -> {
                    assertThat(r.connected).as(what).isEqualTo(s.idleConnections);
                    assertThat(r.rssAfterBytes).as(what).isPositive();
                    if (r.target.equals("switchboard")) {
                        assertThat(r.heapAfterBytes).as(what).isPositive();
                    }
                }
                case FANOUT, ROOMS -> {
                    int n = r.scenario.equals("fanout") ? s.fanoutSubscribers : s.rooms * s.roomSize;
                    assertThat(r.connected).as(what).isEqualTo(n);
                    assertThat(r.published).as(what).isPositive();
                    assertThat(r.expected).as(what).isEqualTo(r.scenario.equals("fanout")
                            ? r.published * n : r.published * s.roomSize);
                    // Every delivery is counted once (never more than expected); on a busy machine a few
                    // may come after the drain, so "all of them" would make this test fail for speed.
                    assertThat(r.received).as(what).isLessThanOrEqualTo(r.expected)
                            .isGreaterThanOrEqualTo(r.expected * 9 / 10);
                    assertThat(r.lost).as(what).isEqualTo(r.expected - r.received);
                    assertThat(r.p99Ms).as(what).isPositive();
                    assertThat(r.serverCpuSeconds).as(what).isNotNegative();
                    assertThat(r.wireBytesPerDelivery).as(what + ": bytes on the wire per delivery").isPositive();
                }
                case PRESENCE, PRESENCE_OFF -> {
                    assertThat(r.target).isEqualTo("switchboard");
                    assertThat(r.quietAfterSeconds).as(what + ": quiet after").isNotNaN();
                    assertThat(r.connected).as(what).isEqualTo(s.presenceMembers);
                    assertThat(r.connectsPerSecond).as(what).isPositive();
                    if (r.scenario.equals("presence")) {
                        assertThat(r.exactFinal).as(what + ": every member ends on the exact count").isEqualTo(s.presenceMembers);
                        assertThat(r.presencePushesPerClient).as(what).isPositive();
                    } else {
                        assertThat(r.presencePushesPerClient).as(what).isZero();
                    }
                }
                case CONNECT -> {
                    assertThat(r.connected).as(what).isEqualTo(s.connectConnections);
                    assertThat(r.connectsPerSecond).as(what).isPositive();
                    assertThat(r.connectP99Ms).as(what).isPositive();
                    // the harness waited for the server to go quiet after the warm-up (seconds, or -1: it did not)
                    assertThat(r.quietAfterSeconds).as(what + ": quiet after").isNotNaN().isGreaterThanOrEqualTo(-1);
                }
                case CAPACITY -> {
                    int n = s.fanoutSubscribers;
                    assertThat(r.connected).as(what).isEqualTo(n);
                    // --capacity-keep-going in the smoke settings: every step runs, each on the same connections
                    assertThat(r.steps).as(what).hasSize(s.capacityRates.length);
                    for (int k = 0; k < r.steps.size(); k++) {
                        ScenarioRun step = r.steps.get(k);
                        String which = what + " at " + s.capacityRates[k] + " msg/s";
                        assertThat(step.offeredRate).as(which).isEqualTo(s.capacityRates[k]);
                        // each step publishes at its own rate for its own window
                        assertThat((double) step.published).as(which).isCloseTo(s.capacityRates[k] * s.capacityMeasureSeconds, within(1.0));
                        assertThat(step.connected).as(which).isEqualTo(n);
                        assertThat(step.expected).as(which).isEqualTo(step.published * n);
                        assertThat(step.received).as(which).isLessThanOrEqualTo(step.expected).isGreaterThanOrEqualTo(step.expected * 9 / 10);
                        assertThat(step.lost).as(which).isEqualTo(step.expected - step.received);
                        assertThat(step.stillOpen).as(which).isEqualTo(n);
                        assertThat(step.p99Ms).as(which).isPositive();
                        assertThat(step.serverCpuSeconds).as(which).isNotNegative();
                        assertThat(step.wireBytesPerDelivery).as(which).isPositive();
                        assertThat(step.shortfall == null).as(which + ": " + step.shortfall)
                                .isEqualTo(step.lost == 0 && step.p99Ms < s.capacityP99LimitMs);
                    }
                    assertThat(r.highestSustainedRate).as(what).isIn(0.0, s.capacityRates[0], s.capacityRates[1]);
                }
                case COLD -> {
                    int n = s.fanoutSubscribers;
                    assertThat(r.connected).as(what).isEqualTo(n);
                    assertThat(r.connectsPerSecond).as(what).isPositive();
                    assertThat(r.connectP99Ms).as(what).isPositive();
                    assertThat(r.stormServerCpuSeconds).as(what).isNotNegative();
                    assertThat(r.startToReadyMs).as(what).isPositive();
                    assertThat(r.stormFromSeconds).as(what).isGreaterThan(r.startToReadyMs / 1000);
                    assertThat(r.stormToSeconds).as(what).isGreaterThan(r.stormFromSeconds);
                    assertThat(r.fanoutFromSeconds).as(what).isGreaterThan(r.stormToSeconds);
                    assertThat(r.fanoutToSeconds).as(what).isCloseTo(r.fanoutFromSeconds + s.coldMeasureSeconds, within(0.01));
                    assertThat((double) r.published).as(what).isCloseTo(s.fanoutRate * s.coldMeasureSeconds, within(1.0));
                    assertThat(r.expected).as(what).isEqualTo(r.published * n);
                    assertThat(r.received).as(what).isLessThanOrEqualTo(r.expected).isGreaterThanOrEqualTo(r.expected * 9 / 10);
                    assertThat(r.stillOpen).as(what).isEqualTo(n);
                    assertThat(r.p99Ms).as(what).isPositive();
                    // its one second of fan-out, second by second: every message was due in second 0
                    assertThat(r.p99BySecondMs).as(what + ": p99 by second").hasSize(1);
                    // (kept with two significant digits, against three for the window: 1 % of room)
                    assertThat(r.p99BySecondMs[0]).as(what + ": p99 in second 0").isPositive().isLessThanOrEqualTo(r.maxMs * 1.01);
                }
            }
        }
        String md = Files.readString(out.resolve("results.md"));
        assertThat(md).contains("## Targets", "| Switchboard |", "| ws |", "| Socket.IO |", "| Switchboard (Pusher) |",
                "| Switchboard Protobuf |", "| Switchboard + deflate |", "## capacity", "## cold",
                "capacity: highest sustained fan-out rate", "cold: server CPU ms per connection",
                "The fan-out's p99 by the second");
        for (String png : List.of("latency-fanout.png", "latency-rooms.png", "memory.png", "cpu.png", "capacity.png")) {
            assertThat(ImageIO.read(out.resolve(png).toFile())).as(png).isNotNull();
        }
        com.fasterxml.jackson.databind.JsonNode json = Json.MAPPER.readTree(out.resolve("results.json").toFile());
        assertThat(json.get("runs")).hasSize(37);
        // issue 16's seven for idle, fanout, rooms and connect, then capacity, and cold's two
        assertThat(json.get("targets")).hasSize(10);
        assertThat(json.get("targets").get(7).get("target").asText()).startsWith("capacity: highest sustained fan-out rate");
        // The binary protocol's deliveries are smaller on the wire than the same deliveries in JSON.
        assertThat(runs.stream().filter(r -> r.scenario.equals("fanout") && r.target.equals("switchboard_protobuf")).findFirst()
                .orElseThrow().wireBytesPerDelivery).isLessThan(runs.stream()
                .filter(r -> r.scenario.equals("fanout") && r.target.equals("switchboard")).findFirst().orElseThrow().wireBytesPerDelivery);
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("[37/37]");
    }
}
