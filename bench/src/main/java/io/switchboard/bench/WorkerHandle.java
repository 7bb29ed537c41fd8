package io.switchboard.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The orchestrator's end of a {@link Worker}: in its own JVM (the real runs) or on a thread (the smoke test). */
abstract class WorkerHandle implements AutoCloseable {

    protected final BlockingQueue<String> fromWorker = new LinkedBlockingQueue<>();

    /** The next line starting with {@code prefix}; other lines are progress and are skipped. */
    String await(String prefix, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            long left = deadline - System.currentTimeMillis();
            String line = left <= 0 ? null : fromWorker.poll(left, TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new IllegalStateException("worker said no " + prefix + " in " + timeoutMillis + " ms" + diagnosis());
            }
            if (line.startsWith("FAILED")) {
                throw new IllegalStateException("worker failed: " + line + diagnosis());
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    abstract void send(String line);

    abstract String diagnosis();

    /** Generator CPU is reported by the worker itself. */
    @Override
    public abstract void close() throws InterruptedException;

    static WorkerHandle process(WorkerSpec spec, List<String> javaCommand, Path log) throws IOException {
        return new ProcessWorker(spec, javaCommand, log);
    }

    static WorkerHandle inProcess(WorkerSpec spec) {
        return new ThreadWorker(spec);
    }

    private static final class ProcessWorker extends WorkerHandle {
        private final Process process;
        private final PrintStream toWorker;
        private final Path log;

        ProcessWorker(WorkerSpec spec, List<String> javaCommand, Path log) throws IOException {
            List<String> cmd = new ArrayList<>(javaCommand);
            cmd.add("worker");
            cmd.add(Json.write(spec));
            this.log = log;
            this.process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            this.toWorker = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        fromWorker.add(line);
                    }
                } catch (IOException ignored) {
                    // the worker is gone
                }
                fromWorker.add("FAILED: worker exited");
            }, "bench-worker-reader");
            reader.setDaemon(true);
            reader.start();
        }

        @Override
        void send(String line) {
            toWorker.println(line);
        }

        @Override
        String diagnosis() {
            return "; its log: " + log;
        }

        @Override
        public void close() throws InterruptedException {
            toWorker.close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static final class ThreadWorker extends WorkerHandle {
        private final BlockingQueue<String> toWorker = new LinkedBlockingQueue<>();
        private final Thread thread;
        private volatile Throwable failure;

        ThreadWorker(WorkerSpec spec) {
            thread = new Thread(() -> {
                try {
                    new Worker(spec).run(() -> {
                        try {
                            return toWorker.poll(10, TimeUnit.MINUTES);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return null;
                        }
                    }, fromWorker::add);
                } catch (Throwable t) {
                    failure = t;
                    fromWorker.add("FAILED: " + t);
                }
            }, "bench-worker");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        void send(String line) {
            toWorker.add(line);
        }

        @Override
        String diagnosis() {
            return failure == null ? "" : "; " + failure;
        }

        @Override
        public void close() throws InterruptedException {
            thread.join(30_000);
        }
    }
}
